/*
 * ae_json.h: the one JSON string writer: s as a quoted JSON string (NULL
 * as null) on f; UTF-8 passes through, control bytes and DEL are escaped.
 */
#ifndef AE_JSON_H
#define AE_JSON_H

#include <stdio.h>

void ae_json_string(FILE *f, const char *s);

#endif
