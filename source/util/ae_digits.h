/*
 * ae_digits.h: the value of one digit of a text encoding, the one home of
 * these tables (URLs' %XX, GUID and DN hex escapes, certmonger cookies,
 * base64 of RFC 4648 §4 in XML values and HTTP headers).
 */
#ifndef AE_DIGITS_H
#define AE_DIGITS_H

/* 0-15 for [0-9a-fA-F], else -1. */
int ae_hex_digit(unsigned char c);

/* 0-63 for the RFC 4648 §4 alphabet (A-Z a-z 0-9 + /), else -1 ('=' too). */
int ae_base64_digit(unsigned char c);

#endif
