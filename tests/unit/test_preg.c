/*
 * test_preg.c: the Registry.pol parser and the registry view GPOs are
 * applied to. Fixtures: the .pol files in tests/gpo-fixtures, written by
 * tests/gpo-fixtures/make-fixtures.py (checked there against Samba's NDR).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <talloc.h>
#include <openssl/evp.h>
#include "ae_preg.h"
#include "ae_utf16.h"
#include "ae_file.h"

#define FIX SRCDIR "/tests/gpo-fixtures/"
#define AE_KEY "Software\\Policies\\Microsoft\\Cryptography\\AutoEnrollment"

static uint8_t *load(TALLOC_CTX *mem, const char *name, size_t *len)
{
	uint8_t *p = NULL;
	char *path = talloc_asprintf(mem, FIX "%s", name);

	assert_non_null(path);
	assert_int_equal(ae_file_read(mem, path, AE_PREG_MAX, &p, len), AE_OK);
	return p;
}

static void sha256_hex(const uint8_t *p, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(p, len, md, &n, EVP_sha256(), NULL), 1);
	for (unsigned int i = 0; i < n; i++) {
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
}

/* A PReg writer for hand-made inputs. */
struct tentry {
	const char *key;
	const char *name;
	uint32_t type;
	const void *data;
	size_t len;
};

static void put_u16s(uint8_t **b, size_t *n, const char *s, bool nul)
{
	uint8_t *u = NULL;
	size_t ulen = 0;

	assert_int_equal(ae_utf8_to_utf16le(NULL, s, nul, &u, &ulen), AE_OK);
	*b = talloc_realloc(NULL, *b, uint8_t, *n + ulen);
	memcpy(*b + *n, u, ulen);
	*n += ulen;
	talloc_free(u);
}

static void put_raw(uint8_t **b, size_t *n, const void *d, size_t len)
{
	*b = talloc_realloc(NULL, *b, uint8_t, *n + len + 1);
	if (len > 0) {
		memcpy(*b + *n, d, len);
	}
	*n += len;
}

static void put_u32(uint8_t **b, size_t *n, uint32_t v)
{
	uint8_t le[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >> 24 };
	put_raw(b, n, le, 4);
}

static uint8_t *build(TALLOC_CTX *mem, const struct tentry *e, size_t ne, size_t *len)
{
	uint8_t *b = NULL;
	size_t n = 0;

	put_raw(&b, &n, "PReg", 4);
	put_u32(&b, &n, 1);
	for (size_t i = 0; i < ne; i++) {
		put_u16s(&b, &n, "[", false);
		put_u16s(&b, &n, e[i].key, true);
		put_u16s(&b, &n, ";", false);
		put_u16s(&b, &n, e[i].name, true);
		put_u16s(&b, &n, ";", false);
		put_u32(&b, &n, e[i].type);
		put_u16s(&b, &n, ";", false);
		put_u32(&b, &n, (uint32_t)e[i].len);
		put_u16s(&b, &n, ";", false);
		put_raw(&b, &n, e[i].data, e[i].len);
		put_u16s(&b, &n, "]", false);
	}
	*len = n;
	return talloc_steal(mem, b);
}

static void expect_fail(const uint8_t *p, size_t len, ae_err want, const char *why_part)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_preg *pol = NULL;
	char why[AE_PREG_WHY_MAX];
	size_t blocks = talloc_total_blocks(mem);

	assert_int_equal(ae_preg_parse(mem, p, len, &pol, why, sizeof(why)), want);
	assert_null(pol);
	assert_int_equal(talloc_total_blocks(mem), blocks);
	if (why_part != NULL && strstr(why, why_part) == NULL) {
		fail_msg("why \"%s\" lacks \"%s\"", why, why_part);
	}
	talloc_free(mem);
}

static void test_golden_auto_enroll(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_preg *pol = NULL;
	char why[AE_PREG_WHY_MAX], hex[65];
	size_t len = 0;
	uint8_t *p = load(mem, "auto_enroll.pol", &len);

	(void)state;
	assert_int_equal(len, 542);
	sha256_hex(p, len, hex);
	assert_string_equal(hex, "470fee4f729b19c4fa341a6121216dc3553206647e665a21281a28dbbb253e44");
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, why, sizeof(why)), AE_OK);
	assert_string_equal(why, "");
	assert_int_equal(pol->version, 1);
	assert_int_equal(pol->num_entries, 3);
	assert_string_equal(pol->entries[0].key, AE_KEY);
	assert_string_equal(pol->entries[0].name, "AEPolicy");
	assert_int_equal(pol->entries[0].val.type, AE_REG_DWORD);
	assert_int_equal(pol->entries[0].val.kind, AE_REGVAL_U32);
	assert_int_equal(pol->entries[0].val.u32, 7);
	/*
	 * MS-GPREG 2.2.1: the first entry is 154 bytes: "[" key (55 + NUL) ";"
	 * "AEPolicy" (8 + NUL) ";" type ";" size ";" data "]", UTF-16LE
	 * delimiters and names, u32 type, size and DWORD data.
	 */
	assert_int_equal(pol->entries[0].offset, 8);
	assert_int_equal(pol->entries[1].offset, 8 + 154);
	assert_string_equal(pol->entries[1].name, "OfflineExpirationPercent");
	assert_int_equal(pol->entries[1].val.u32, 10);
	assert_string_equal(pol->entries[2].name, "OfflineExpirationStoreNames");
	assert_int_equal(pol->entries[2].val.type, AE_REG_SZ);
	assert_string_equal(pol->entries[2].val.str, "MY");
	assert_int_equal(pol->entries[2].val.len, 6);
	talloc_free(mem);
}

static void test_gpreg_figures(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_preg *pol = NULL;
	char hex[65];
	size_t len = 0;
	uint8_t *p = load(mem, "gpreg_fig2.pol", &len);

	(void)state;
	assert_int_equal(len, 308);
	sha256_hex(p, len, hex);
	assert_string_equal(hex, "972371071d2b1295ac40456d825c86a6c5913d2e7b5b005ee50366e8d48b928a");
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	assert_int_equal(pol->num_entries, 2);
	assert_string_equal(pol->entries[0].name, "LocalProfile");
	assert_int_equal(pol->entries[0].val.u32, 1);
	assert_string_equal(pol->entries[1].name, "GroupPolicyMinTransferRate");
	assert_int_equal(pol->entries[1].val.u32, 0);

	p = load(mem, "gpreg_fig3.pol", &len);
	assert_int_equal(len, 182);
	sha256_hex(p, len, hex);
	assert_string_equal(hex, "0b0c4078164927296eca2f73234607ec7ae2de81665bee0cfff0bbbb0336478a");
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	assert_int_equal(pol->num_entries, 1);
	assert_string_equal(pol->entries[0].key,
			    "Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System");
	assert_string_equal(pol->entries[0].name, "HideLogonScripts");
	assert_int_equal(pol->entries[0].val.u32, 1);

	p = load(mem, "empty.pol", &len);
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	assert_int_equal(pol->num_entries, 0);
	talloc_free(mem);
}

static void test_every_type(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_preg *pol = NULL;
	const struct ae_preg_entry *e = NULL;
	size_t len = 0;
	uint8_t *p = load(mem, "every_type.pol", &len);

	(void)state;
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	assert_int_equal(pol->num_entries, 12);
	e = pol->entries;
	assert_int_equal(e[0].val.type, AE_REG_NONE);
	assert_int_equal(e[0].val.kind, AE_REGVAL_BYTES);
	assert_int_equal(e[0].val.len, 0);
	assert_int_equal(e[1].val.kind, AE_REGVAL_STRING);
	assert_string_equal(e[1].val.str, "caf\xc3\xa9 \xe2\x82\xac");
	assert_int_equal(e[2].val.type, AE_REG_EXPAND_SZ);
	assert_string_equal(e[2].val.str, "%SystemRoot%\\x");
	assert_int_equal(e[3].val.kind, AE_REGVAL_BYTES);
	assert_int_equal(e[3].val.len, 4);
	assert_memory_equal(e[3].val.data, "\x00\x01\xfe\xff", 4);
	assert_int_equal(e[4].val.u32, 0xdeadbeef);
	assert_int_equal(e[5].val.type, AE_REG_DWORD_BIG_ENDIAN);
	assert_int_equal(e[5].val.u32, 0x01020304);
	assert_int_equal(e[6].val.type, AE_REG_LINK);
	assert_string_equal(e[6].val.str, "\\Registry\\Machine\\X");
	assert_int_equal(e[7].val.kind, AE_REGVAL_STRINGS);
	assert_int_equal(e[7].val.num_strs, 3);
	assert_string_equal(e[7].val.strs[0], "MY");
	assert_string_equal(e[7].val.strs[1], "Root");
	assert_string_equal(e[7].val.strs[2], "CA");
	assert_int_equal(e[8].val.num_strs, 0);
	assert_int_equal(e[9].val.kind, AE_REGVAL_U64);
	assert_true(e[9].val.u64 == 0x0102030405060708ULL);
	assert_int_equal(e[10].val.type, 0x1234);
	assert_int_equal(e[10].val.kind, AE_REGVAL_BYTES);
	assert_memory_equal(e[10].val.data, "\x09\x08\x07", 3);
	assert_string_equal(e[11].name, "");
	assert_string_equal(e[11].val.str, "default value");
	assert_string_equal(ae_reg_type_name(AE_REG_QWORD), "REG_QWORD");
	assert_string_equal(ae_reg_type_name(0x1234), "REG_UNKNOWN");
	talloc_free(mem);
}

/* Every cut either ends at an instruction boundary (a valid shorter file)
 * or fails with an offset in 'why'; nothing is left allocated. */
static void truncate_all(const char *name)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_preg *full = NULL;
	size_t len = 0, boundaries = 0;
	uint8_t *p = load(mem, name, &len);

	assert_int_equal(ae_preg_parse(mem, p, len, &full, NULL, 0), AE_OK);
	for (size_t cut = 0; cut < len; cut++) {
		struct ae_preg *pol = NULL;
		char why[AE_PREG_WHY_MAX];
		bool boundary = (cut == 8);
		size_t blocks = talloc_total_blocks(mem);
		ae_err err;

		for (size_t i = 1; i < full->num_entries; i++) {
			boundary |= (cut == full->entries[i].offset);
		}
		err = ae_preg_parse(mem, p, cut, &pol, why, sizeof(why));
		if (boundary) {
			assert_int_equal(err, AE_OK);
			assert_true(pol->num_entries < full->num_entries);
			talloc_free(pol);
			boundaries++;
			continue;
		}
		if (err != AE_ERR_PARSE) {
			fail_msg("%s cut at %zu: %s (%s)", name, cut, ae_strerror(err), why);
		}
		assert_null(pol);
		assert_int_equal(talloc_total_blocks(mem), blocks);
		assert_non_null(strstr(why, "offset 0x"));
	}
	assert_int_equal(boundaries, full->num_entries);
	talloc_free(mem);
}

static void test_truncation(void **state)
{
	(void)state;
	truncate_all("auto_enroll.pol");
	truncate_all("advanced_enroll.pol");
	truncate_all("every_type.pol");
	truncate_all("specials.pol");
}

static void test_why_messages(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t len = 0;
	uint8_t *p = load(mem, "auto_enroll.pol", &len);
	uint8_t *q = talloc_memdup(mem, p, len);

	(void)state;
	/* '[' at 8, key 56 units to 0x7a, ';' at 0x7a, "AEPolicy\0" to 0x8e */
	q[0x8e] = ',';
	expect_fail(q, len, AE_ERR_PARSE, "offset 0x8e: expected ';' after the value name");
	memcpy(q, p, len);
	q[0x7a] = ',';
	expect_fail(q, len, AE_ERR_PARSE, "offset 0x7a: expected ';' after the key");
	memcpy(q, p, len);
	q[8] = '{';
	expect_fail(q, len, AE_ERR_TRAILING, "offset 0x8: 534 trailing bytes");
	memcpy(q, p, len);
	q[0] = 'p';
	expect_fail(q, len, AE_ERR_PARSE, "offset 0x0: expected the signature \"PReg\"");
	memcpy(q, p, len);
	q[4] = 2;
	expect_fail(q, len, AE_ERR_PARSE, "offset 0x4: expected version 1, found 2");
	/* the closing ']' of the first entry (its DWORD data is at 0x9c) */
	memcpy(q, p, len);
	q[0xa0] = ')';
	expect_fail(q, len, AE_ERR_PARSE, "offset 0xa0: expected ']' after the data");
	expect_fail(p, 7, AE_ERR_PARSE, "truncated version");
	expect_fail(p, 0, AE_ERR_PARSE, "signature");
	talloc_free(mem);
}

static void test_trailing(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	size_t len = 0;
	uint8_t *p = load(mem, "auto_enroll.pol", &len);
	uint8_t *q = talloc_size(mem, len + 4);

	(void)state;
	memcpy(q, p, len);
	memcpy(q + len, "\0\0\0\0", 4);
	expect_fail(q, len + 1, AE_ERR_TRAILING, "offset 0x21e: 1 trailing bytes");
	expect_fail(q, len + 2, AE_ERR_TRAILING, "offset 0x21e: 2 trailing bytes");
	memcpy(q + len, "[\0", 2);
	/* a started instruction that is cut short is a truncation */
	expect_fail(q, len + 2, AE_ERR_PARSE, "offset 0x220: truncated key");
	expect_fail(q, len + 3, AE_ERR_PARSE, "truncated key");
	talloc_free(mem);
}

static void test_limits_and_values(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char longname[AE_PREG_NAME_MAX + 2];
	uint8_t big[AE_PREG_DATA_MAX + 1];
	struct ae_preg *pol = NULL;
	size_t len = 0;
	uint8_t *p = NULL;

	(void)state;
	memset(longname, 'n', sizeof(longname));
	longname[AE_PREG_NAME_MAX] = '\0';
	struct tentry ok_name = { "K", longname, AE_REG_DWORD, "\1\0\0\0", 4 };
	p = build(mem, &ok_name, 1, &len);
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	longname[AE_PREG_NAME_MAX] = 'n';
	longname[AE_PREG_NAME_MAX + 1] = '\0';
	p = build(mem, &ok_name, 1, &len);
	expect_fail(p, len, AE_ERR_TOO_LARGE, "offset 0x10: value name longer than 259");

	memset(big, 0, sizeof(big));
	struct tentry bigd = { "K", "B", AE_REG_BINARY, big, sizeof(big) };
	p = build(mem, &bigd, 1, &len);
	expect_fail(p, len, AE_ERR_TOO_LARGE, "data size 65536 above 65535");
	bigd.len = AE_PREG_DATA_MAX;
	p = build(mem, &bigd, 1, &len);
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);

	struct tentry bad[] = {
		{ "", "n", AE_REG_DWORD, "\1\0\0\0", 4 },		/* empty key */
		{ "K", "n", AE_REG_DWORD, "\1\0\0", 3 },		/* short DWORD */
		{ "K", "n", AE_REG_QWORD, "\1\0\0\0", 4 },		/* short QWORD */
		{ "K", "n", AE_REG_SZ, "A\0B", 3 },			/* odd length */
		{ "K", "n", AE_REG_SZ, "A\0\0\0B\0\0\0", 8 },		/* data after NUL */
		{ "K", "n", AE_REG_SZ, "\x00\xd8\0\0", 4 },		/* lone surrogate */
		{ "K", "n", AE_REG_MULTI_SZ, "A\0\0\0\0\0B\0\0\0", 10 }, /* string after the end */
		{ "K", "n", AE_REG_DWORD_BIG_ENDIAN, "", 0 },
	};
	const char *whys[] = { "empty key", "REG_DWORD data must be 4 bytes, not 3",
			       "REG_QWORD data must be 8 bytes", "odd length",
			       "invalid REG_SZ data", "invalid REG_SZ data",
			       "invalid REG_MULTI_SZ data", "REG_DWORD_BIG_ENDIAN data must be 4" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = build(mem, &bad[i], 1, &len);
		expect_fail(p, len, AE_ERR_PARSE, whys[i]);
	}

	struct tentry good[] = {
		{ "K", "sz-no-nul", AE_REG_SZ, "A\0B\0", 4 },
		{ "K", "sz-padded", AE_REG_SZ, "A\0\0\0\0\0", 6 },
		{ "K", "multi-no-final", AE_REG_MULTI_SZ, "A\0\0\0B\0", 6 },
		{ "K", "multi-empty", AE_REG_MULTI_SZ, "\0\0", 2 },
		{ "K", "multi-nothing", AE_REG_MULTI_SZ, "", 0 },
		{ "K", "sz-empty", AE_REG_SZ, "", 0 },
	};
	p = build(mem, good, sizeof(good) / sizeof(good[0]), &len);
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	assert_string_equal(pol->entries[0].val.str, "AB");
	assert_string_equal(pol->entries[1].val.str, "A");
	assert_int_equal(pol->entries[2].val.num_strs, 2);
	assert_string_equal(pol->entries[2].val.strs[1], "B");
	assert_int_equal(pol->entries[3].val.num_strs, 0);
	assert_int_equal(pol->entries[4].val.num_strs, 0);
	assert_string_equal(pol->entries[5].val.str, "");

	assert_int_equal(ae_preg_parse(mem, NULL, 1, &pol, NULL, 0), AE_ERR_INVALID);
	assert_int_equal(ae_preg_parse(mem, p, len, NULL, NULL, 0), AE_ERR_INVALID);
	expect_fail(p, AE_PREG_MAX + 1, AE_ERR_TOO_LARGE, "above");
	talloc_free(mem);
}

static struct ae_regview *apply_files(TALLOC_CTX *mem, const char *const *names,
				      const char *const *sources, size_t n)
{
	struct ae_regview *view = ae_regview_new(mem);

	assert_non_null(view);
	for (size_t i = 0; i < n; i++) {
		struct ae_preg *pol = NULL;
		size_t len = 0;
		uint8_t *p = load(mem, names[i], &len);
		assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
		assert_int_equal(ae_preg_apply(view, pol, sources[i]), AE_OK);
		talloc_free(pol);
		talloc_free(p);
	}
	return view;
}

static void test_apply_specials(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *names[] = { "base.pol", "every_type.pol", "specials.pol" };
	const char *sources[] = { "{BASE}", "{TYPES}", "{SPECIAL}" };
	const char *T = "Software\\Policies\\Test\\Types", *B = "Software\\Policies\\Test\\Base";
	const struct ae_regview_value *v = NULL;
	const struct ae_regview_value **vals = NULL;
	const char **subs = NULL;
	struct ae_regview *view = NULL;
	const char *src = NULL;
	uint32_t secure = 0;
	size_t n = 0;

	(void)state;
	view = apply_files(mem, names, sources, 3);
	/* **del.Sz, **DeleteValues "Dword;dwordbe;Missing", **Del.Qword */
	assert_null(ae_regview_get(view, T, "Sz"));
	assert_null(ae_regview_get(view, T, "Dword"));
	assert_null(ae_regview_get(view, T, "DwordBE"));
	assert_null(ae_regview_get(view, T, "Qword"));
	v = ae_regview_get(view, "SOFTWARE\\policies\\TEST\\types", "BINARY");
	assert_non_null(v);
	assert_string_equal(v->name, "Binary");
	assert_string_equal(v->source, "{TYPES}");
	assert_memory_equal(v->val.data, "\x00\x01\xfe\xff", 4);
	v = ae_regview_get(view, T, "multi");
	assert_int_equal(v->val.num_strs, 3);
	assert_string_equal(v->val.strs[2], "CA");
	assert_int_equal(ae_regview_values(mem, view, T, &vals, &n), AE_OK);
	assert_int_equal(n, 8);	/* None Expand Binary Link Multi MultiEmpty Unknown (default) */
	assert_string_equal(vals[0]->name, "None");
	assert_string_equal(vals[7]->name, "");

	/* **DelVals. cleared A, B, Kept; Kept=2; **soft.Kept kept it; **SOFT.New */
	assert_null(ae_regview_get(view, B, "A"));
	assert_null(ae_regview_get(view, B, "B"));
	v = ae_regview_get(view, B, "Kept");
	assert_int_equal(v->val.u32, 2);
	assert_string_equal(v->source, "{SPECIAL}");
	v = ae_regview_get(view, B, "new");
	assert_string_equal(v->val.str, "soft");
	assert_string_equal(v->name, "New");
	assert_true(ae_regview_secure(view, B, &secure, &src));
	assert_int_equal(secure, 1);
	assert_string_equal(src, "{SPECIAL}");
	assert_false(ae_regview_secure(view, T, NULL, NULL));
	/* **SecureKey is not a value */
	assert_null(ae_regview_get(view, B, "**SecureKey"));

	/* **DeleteKeys "Gone;Software\Policies\Test\Full;": Gone (relative, with its
	 * subkey) and Full (full path) go, Fuller stays */
	assert_null(ae_regview_get(view, "Software\\Policies\\Test\\Gone", "X"));
	assert_null(ae_regview_get(view, "Software\\Policies\\Test\\Gone\\Deeper", "Y"));
	assert_null(ae_regview_get(view, "Software\\Policies\\Test\\Full", "Z"));
	assert_non_null(ae_regview_get(view, "Software\\Policies\\Test\\Fuller", "W"));
	assert_int_equal(ae_regview_subkeys(mem, view, "software\\policies\\test", &subs, &n), AE_OK);
	assert_int_equal(n, 3);
	assert_string_equal(subs[0], "Base");
	assert_string_equal(subs[1], "Fuller");
	assert_string_equal(subs[2], "Types");
	assert_int_equal(ae_regview_subkeys(mem, view, "Software", &subs, &n), AE_OK);
	assert_int_equal(n, 1);
	assert_string_equal(subs[0], "Policies");
	assert_int_equal(ae_regview_keys(mem, view, &subs, &n), AE_OK);
	assert_int_equal(n, 3);

	/* a deleted value can be set again */
	{
		struct tentry e = { "Software\\Policies\\Test\\Full", "z", AE_REG_DWORD, "\5\0\0\0", 4 };
		struct ae_preg *pol = NULL;
		size_t len = 0;
		uint8_t *p = build(mem, &e, 1, &len);
		assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
		assert_int_equal(ae_preg_apply(view, pol, "{AGAIN}"), AE_OK);
		v = ae_regview_get(view, "Software\\Policies\\Test\\Full", "Z");
		assert_int_equal(v->val.u32, 5);
		assert_string_equal(v->name, "z");
	}
	talloc_free(mem);
}

static void test_apply_last_writer_wins(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	const char *names[] = { "auto_enroll.pol", "auto_enroll_unchecked.pol" };
	const char *sources[] = { "{DOMAIN}", "{OU}" };
	const struct ae_regview_value *v = NULL;
	struct ae_regview *view = NULL;
	size_t blocks;

	(void)state;
	view = apply_files(mem, names, sources, 2);
	v = ae_regview_get(view, AE_KEY, "AEPolicy");
	assert_int_equal(v->val.u32, 0);
	assert_string_equal(v->source, "{OU}");
	blocks = talloc_total_blocks(mem);
	talloc_free(view);
	assert_true(talloc_total_blocks(mem) < blocks);

	/* a string-typed **DeleteKeys is required; a DWORD one is ignored */
	{
		struct tentry e[] = {
			{ "Software\\K", "v", AE_REG_DWORD, "\1\0\0\0", 4 },
			{ "Software", "**DeleteKeys", AE_REG_DWORD, "\1\0\0\0", 4 },
			{ "Software", "**deletevalues", AE_REG_BINARY, "x", 1 },
			{ "Software\\K", "**SecureKey", AE_REG_SZ, "1\0\0\0", 4 },
		};
		struct ae_preg *pol = NULL;
		size_t len = 0;
		uint8_t *p = build(mem, e, 4, &len);
		view = ae_regview_new(mem);
		assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
		assert_int_equal(ae_preg_apply(view, pol, NULL), AE_OK);
		assert_non_null(ae_regview_get(view, "Software\\K", "v"));
		assert_false(ae_regview_secure(view, "Software\\K", NULL, NULL));
		assert_int_equal(ae_preg_apply(NULL, pol, "x"), AE_ERR_INVALID);
		assert_int_equal(ae_preg_apply(view, NULL, "x"), AE_ERR_INVALID);
	}
	talloc_free(mem);
}

/* Deletions that would scan the view too often are refused, not run. */
static void test_apply_work_cap(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	enum { NKEYS = 2100, NITEMS = 16383 };
	struct tentry *e = talloc_zero_array(mem, struct tentry, NKEYS + 1);
	char *items = talloc_zero_array(mem, char, NITEMS * 2 + 1);
	uint8_t *items16 = NULL, *p = NULL;
	size_t ilen = 0, len = 0;
	struct ae_regview *view = ae_regview_new(mem);
	struct ae_preg *pol = NULL;

	(void)state;
	for (size_t i = 0; i < NKEYS; i++) {
		e[i].key = talloc_asprintf(mem, "Software\\K%zu", i);
		e[i].name = "v";
		e[i].type = AE_REG_DWORD;
		e[i].data = "\1\0\0\0";
		e[i].len = 4;
	}
	for (size_t i = 0; i < NITEMS; i++) {
		memcpy(items + 2 * i, i + 1 < NITEMS ? "x;" : "x", 2);
	}
	assert_int_equal(ae_utf8_to_utf16le(mem, items, true, &items16, &ilen), AE_OK);
	e[NKEYS] = (struct tentry){ "Software", "**DeleteKeys", AE_REG_SZ, items16, ilen };
	p = build(mem, e, NKEYS + 1, &len);
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	assert_int_equal(ae_preg_apply(view, pol, "{BIG}"), AE_ERR_TOO_LARGE);
	/* the same file with a short list applies */
	e[NKEYS].len = 4 * 100;
	memcpy(items16 + 4 * 100 - 2, "\0\0", 2);
	p = build(mem, e, NKEYS + 1, &len);
	assert_int_equal(ae_preg_parse(mem, p, len, &pol, NULL, 0), AE_OK);
	view = ae_regview_new(mem);
	assert_int_equal(ae_preg_apply(view, pol, "{SMALL}"), AE_OK);
	assert_non_null(ae_regview_get(view, "Software\\K7", "v"));
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_auto_enroll),
		cmocka_unit_test(test_gpreg_figures),
		cmocka_unit_test(test_every_type),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_why_messages),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_limits_and_values),
		cmocka_unit_test(test_apply_specials),
		cmocka_unit_test(test_apply_last_writer_wins),
		cmocka_unit_test(test_apply_work_cap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
