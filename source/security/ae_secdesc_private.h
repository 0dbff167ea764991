/*
 * ae_secdesc_private.h: shared between the files of the security layer;
 * not part of its API.
 */
#ifndef AE_SECDESC_PRIVATE_H
#define AE_SECDESC_PRIVATE_H

#include "ae_secdesc.h"

/*
 * The kind of an ACE type and whether it has the object layout (Flags,
 * ObjectType, InheritedObjectType). False (kind UNKNOWN) for types whose
 * layout is not known.
 */
bool ae_ace_layout(uint8_t type, enum ae_ace_kind *_kind, bool *_is_object);

#endif
