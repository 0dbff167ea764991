/*
 * test_store_crash.c: kill -9 in the middle of the store's transitions.
 *
 * Two ways. (1) Every step boundary, deterministically: a child runs one
 * scenario (enroll, renew, renew with a pending request, re-enroll,
 * archive, remove, abort) with the store's step hook raising SIGKILL at
 * boundary k, for k = 1, 2, ... until the child finishes. (2) At random
 * instants: a child loops transitions forever and is killed after a
 * random delay counted from when it has completed READY_OPS operations
 * (it says so through a pipe, so a slow fork or a loaded machine neither
 * eats the delay nor leaves a child without progress),
 * RANDOM_KILLS times: a fixed amount of work, whatever the clock says
 * (meson gives this test a longer timeout for a loaded, sanitized build).
 * After each
 * kill the raw directory must satisfy the invariant (a certificate only
 * next to its own key); then recover() runs and the whole store must be
 * consistent: the record describes the files, nothing half done remains,
 * and no pair ever installed is lost (it is installed or in archive/).
 *
 * Fake pairs (test_store_helpers.h): "KEY n" belongs to "CRT n".
 *
 * Leak check: talloc null tracking; each test's teardown requires the
 * number of talloc blocks reachable from NULL to be what it was.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "test_store_helpers.h"
#include "ae_store_private.h"

#define RANDOM_KILLS 120		/* kills at random instants, exactly this many */
#define READY_OPS 3		/* operations a child completes before it may be killed */

static size_t g_blocks;
static unsigned g_kill_at, g_steps;

static int setup(void **state)
{
	(void)state;
	g_blocks = talloc_total_blocks(NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(talloc_total_blocks(NULL), g_blocks);
	return 0;
}

static void kill_hook(const char *step)
{
	(void)step;
	if (++g_steps == g_kill_at) {
		raise(SIGKILL);
	}
}

/* ---- what a store may look like ----------------------------------------- */

/* crt present => key present and of the same generation; returns the pair's or -1 */
static long raw_invariant(TALLOC_CTX *mem, const struct ae_store *s, const char *t)
{
	char *crt = tfile(mem, s, t, ".crt"), *key = tfile(mem, s, t, ".key");

	if (crt == NULL) {
		return -1;
	}
	if (key == NULL || gen_of(key, "KEY") != gen_of(crt, "CRT")) {
		fail_msg("certificate %s next to key %s", crt, key ? key : "(none)");
	}
	return gen_of(crt, "CRT");
}

struct view {
	enum ae_cert_state status;
	long pair;		/* installed generation, -1 none */
	long new_key;		/* generation in .key.new, -1 none */
	long *archived;		/* generations found in archive/ (check_archive) */
	size_t num_archived;
};

static bool in_archive(const struct view *v, long g)
{
	size_t i;

	for (i = 0; i < v->num_archived; i++) {
		if (v->archived[i] == g) {
			return true;
		}
	}
	return false;
}

static void check_archive(TALLOC_CTX *mem, const struct ae_store *s, struct view *v)
{
	char **names = NULL;
	size_t n = 0, i, stem = 0;
	ae_err err = ae_store_list_dir(mem, talloc_asprintf(mem, "%s/archive", s->dir), &names, &n);

	if (err == AE_ERR_NOT_FOUND) {
		return;
	}
	assert_int_equal(err, AE_OK);
	for (i = 0; i < n; i++) {
		struct ae_store_state *st = NULL;
		char *text = NULL, *base = NULL;
		long g;
		assert_false(ae_store_is_tmp_name(names[i]));
		if (!ae_store_ends_with(names[i], ".state", &stem)) {
			continue;
		}
		base = talloc_asprintf(mem, "%s/archive/%.*s", s->dir, (int)stem, names[i]);
		text = slurp(mem, talloc_asprintf(mem, "%s.state", base));
		assert_int_equal(ae_store_state_parse(mem, (uint8_t *)text, strlen(text), &st), AE_OK);
		assert_true(st->status == AE_CERT_ARCHIVED || st->status == AE_CERT_REMOVED);
		g = gen_of(slurp(mem, talloc_asprintf(mem, "%s.crt", base)), "CRT");
		assert_true(g >= 0);
		assert_int_equal(gen_of(slurp(mem, talloc_asprintf(mem, "%s.key", base)), "KEY"), g);
		assert_int_equal(gen_of(slurp(mem, talloc_asprintf(mem, "%s.chain.pem", base)),
					"CHAIN"), g);
		assert_non_null(st->cert.serial_hex);
		assert_int_equal(strtol(st->cert.serial_hex, NULL, 16), g);
		v->archived = talloc_realloc(mem, v->archived, long, v->num_archived + 1);
		assert_non_null(v->archived);
		v->archived[v->num_archived++] = g;
	}
}

/*
 * After recover(): everything consistent. Fills *v; with full, also checks
 * every archive entry and lists them in v->archived.
 */
static void check_recovered(TALLOC_CTX *mem, const struct ae_store *s, const char *t,
			    struct view *v, bool full)
{
	struct ae_store_state *st = NULL;
	char **names = NULL;
	size_t n = 0, i;
	ae_err err;

	memset(v, 0, sizeof(*v));
	assert_int_equal(ae_store_list_dir(mem, s->dir, &names, &n), AE_OK);
	for (i = 0; i < n; i++) {
		/* a PENDING record keeps a received answer: checked below */
		if (ae_store_is_tmp_name(names[i]) || strstr(names[i], ".state.new")) {
			fail_msg("left after recovery: %s", names[i]);
		}
	}
	v->pair = raw_invariant(mem, s, t);
	v->new_key = gen_of(tfile(mem, s, t, ".key.new"), "KEY");
	err = ae_store_state_load(mem, s, t, &st);
	if (err == AE_ERR_NOT_FOUND) {
		v->status = AE_CERT_NONE;
		assert_int_equal(v->pair, -1);
	} else {
		assert_int_equal(err, AE_OK);
		v->status = st->status;
	}
	if (v->status != AE_CERT_PENDING) {
		assert_false(tpresent(mem, s, t, ".crt.new"));
		assert_false(tpresent(mem, s, t, ".chain.pem.new"));
	}
	switch (v->status) {
	case AE_CERT_ISSUED:
		assert_true(v->pair >= 0);
		assert_int_equal(gen_of(tfile(mem, s, t, ".chain.pem"), "CHAIN"), v->pair);
		assert_int_equal(strtol(st->cert.serial_hex, NULL, 16), v->pair);
		assert_int_equal(v->new_key, -1);
		break;
	case AE_CERT_PENDING:
		assert_true(v->new_key >= 0);
		/* a received certificate kept for installing is the one of the request's key */
		if (tpresent(mem, s, t, ".crt.new")) {
			assert_int_equal(gen_of(tfile(mem, s, t, ".crt.new"), "CRT"), v->new_key);
		}
		if (v->pair >= 0) {
			assert_int_equal(strtol(st->cert.serial_hex, NULL, 16), v->pair);
		}
		break;
	case AE_CERT_NONE:
	case AE_CERT_ARCHIVED:
	case AE_CERT_REMOVED:
		assert_int_equal(v->pair, -1);
		assert_false(tpresent(mem, s, t, ".key"));
		assert_int_equal(v->new_key, -1);
		break;
	default:
		fail_msg("status %s after recovery", ae_cert_state_name(v->status));
	}
	if (full) {
		check_archive(mem, s, v);
	}
}

static size_t recover_locked(TALLOC_CTX *mem, const char *dir, struct ae_store **_s)
{
	struct ae_store *s = open_locked(mem, dir);
	char **notes = NULL;
	size_t n = 0;

	assert_int_equal(ae_store_recover(mem, s, &notes), AE_OK);
	while (notes[n] != NULL) {
		n++;
	}
	*_s = s;
	return n;
}

/* ---- (1) every step boundary -------------------------------------------- */

enum scenario { S_ENROLL, S_RENEW, S_RENEW_PENDING, S_REENROLL, S_ARCHIVE, S_REMOVE, S_ABORT,
		S_COUNT };
static const char *const scenario_names[] = { "enroll", "renew", "renew-pending", "re-enroll",
					      "archive", "remove", "abort" };

static void prepare(TALLOC_CTX *mem, const char *dir, enum scenario sc)
{
	struct ae_store *s = open_locked(mem, dir);

	if (sc != S_ENROLL) {
		install_gen(mem, s, "T", AE_CERT_ENROLLING, 1);
	}
	if (sc == S_ABORT) {
		assert_int_equal(ae_store_begin(s, "T", AE_CERT_RENEWING, "KEY 2\n", 6), AE_OK);
		assert_int_equal(ae_store_pending(s, "T", "LAB-CA", 5), AE_OK);
	}
	talloc_free(s);
}

static int run_scenario(const char *dir, enum scenario sc)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_store *s = NULL;
	struct ae_store_lock *l = NULL;
	struct ae_store_certinfo ci = fake_info(mem, 2);
	enum ae_cert_state kind = sc == S_ENROLL || sc == S_REENROLL ? AE_CERT_ENROLLING
								     : AE_CERT_RENEWING;

	if (ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0) != AE_OK ||
	    ae_store_lock(s, false, &l) != AE_OK) {
		return 10;
	}
	switch (sc) {
	case S_ENROLL: case S_RENEW: case S_RENEW_PENDING: case S_REENROLL:
		if (ae_store_begin(s, "T", kind, "KEY 2\n", 6) != AE_OK) {
			return 11;
		}
		if ((sc == S_ENROLL || sc == S_RENEW_PENDING) &&
		    ae_store_pending(s, "T", "LAB-CA", 5) != AE_OK) {
			return 12;
		}
		return ae_store_commit(s, "T", "CRT 2\n", 6, "CHAIN 2\n", 8, &ci) == AE_OK ? 0 : 13;
	case S_ARCHIVE:
		return ae_store_archive(s, "T", "superseded") == AE_OK ? 0 : 14;
	case S_REMOVE:
		return ae_store_remove(s, "T", "revoked") == AE_OK ? 0 : 15;
	case S_ABORT:
		return ae_store_abort(s, "T", "denied") == AE_OK ? 0 : 16;
	case S_COUNT:
		break;
	}
	return 17;
}

/* The states a kill may leave, after recovery, for each scenario. */
static void check_outcome(enum scenario sc, const struct view *v, bool finished)
{
	bool old = v->status == AE_CERT_ISSUED && v->pair == 1;
	bool new_pair = v->status == AE_CERT_ISSUED && v->pair == 2 && in_archive(v, 1);

	switch (sc) {
	case S_ENROLL:
		assert_true((v->status == AE_CERT_NONE && v->pair == -1) ||
			    (v->status == AE_CERT_PENDING && v->pair == -1 && v->new_key == 2) ||
			    (v->status == AE_CERT_ISSUED && v->pair == 2));
		assert_true(!finished || (v->status == AE_CERT_ISSUED && v->pair == 2));
		break;
	case S_RENEW: case S_REENROLL:
		assert_true(old || new_pair);
		assert_true(!finished || new_pair);
		break;
	case S_RENEW_PENDING:
		assert_true(old || new_pair || (v->status == AE_CERT_PENDING && v->pair == 1 &&
						v->new_key == 2));
		assert_true(!finished || new_pair);
		break;
	case S_ARCHIVE: case S_REMOVE:
		assert_true(old || (v->status == (sc == S_ARCHIVE ? AE_CERT_ARCHIVED : AE_CERT_REMOVED)
				    && v->pair == -1 && in_archive(v, 1)));
		assert_true(!finished || !old);
		break;
	case S_ABORT:
		assert_true(old || (v->status == AE_CERT_PENDING && v->pair == 1 && v->new_key == 2));
		assert_true(!finished || old);
		break;
	case S_COUNT:
		break;
	}
}

static void test_every_step(void **state)
{
	int sc;
	unsigned total_points = 0, acted = 0;

	(void)state;
	for (sc = 0; sc < S_COUNT; sc++) {
		bool finished = false;
		unsigned k;
		for (k = 1; !finished; k++) {
			TALLOC_CTX *mem = talloc_new(NULL);
			char *dir = scratch_dir(mem, "crash");
			struct ae_store *s = NULL;
			struct view v;
			int status = 0;
			pid_t pid;

			assert_true(k < 200);
			prepare(mem, dir, (enum scenario)sc);
			pid = fork();
			assert_true(pid >= 0);
			if (pid == 0) {
				g_kill_at = k;
				g_steps = 0;
				ae_store_step_hook = kill_hook;
				_exit(run_scenario(dir, (enum scenario)sc));
			}
			assert_int_equal(waitpid(pid, &status, 0), pid);
			if (WIFEXITED(status)) {
				if (WEXITSTATUS(status) != 0) {
					fail_msg("%s: the child failed (%d) at k=%u",
						 scenario_names[sc], WEXITSTATUS(status), k);
				}
				finished = true;
			} else {
				assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
				total_points++;
			}
			(void)raw_invariant(mem, &(struct ae_store){ .dir = dir }, "T");
			acted += recover_locked(mem, dir, &s) > 0;
			check_recovered(mem, s, "T", &v, true);
			check_outcome((enum scenario)sc, &v, finished);
			rm_rf(dir);
			talloc_free(mem);
		}
		print_message("%-14s %u kill points\n", scenario_names[sc], k - 2);
	}
	/* every boundary was a kill point, and most left something to recover */
	assert_true(total_points >= 50);
	assert_true(acted * 2 >= total_points);
}

/* ---- (2) random instants -------------------------------------------------- */

static ae_err begin_gen(TALLOC_CTX *mem, const struct ae_store *s, enum ae_cert_state kind,
			unsigned n)
{
	char *key = fake(mem, "KEY", n);

	return ae_store_begin(s, "T", kind, key, strlen(key));
}

static ae_err commit_gen(TALLOC_CTX *mem, const struct ae_store *s, unsigned n)
{
	struct ae_store_certinfo ci = fake_info(mem, n);
	char *crt = fake(mem, "CRT", n), *chain = fake(mem, "CHAIN", n);

	return ae_store_commit(s, "T", crt, strlen(crt), chain, strlen(chain), &ci);
}

/*
 * Transitions forever, generations base, base+1, ...; returns only on an
 * error. One byte on ready once the lock is held.
 */
static int loop_child(const char *dir, unsigned base, int ready)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	struct ae_store *s = NULL;
	struct ae_store_lock *l = NULL;
	unsigned i;

	if (ae_store_open(mem, dir, 0, AE_STORE_OPEN_CREATE, &s, NULL, 0) != AE_OK ||
	    ae_store_lock(s, true, &l) != AE_OK) {
		return 20;
	}
	for (i = 0; ; i++) {
		TALLOC_CTX *it = talloc_new(mem);
		struct ae_store_state *st = NULL;
		unsigned n = base + i, op = base / 1000 + i;	/* each child starts elsewhere */
		bool pair = tpresent(it, s, "T", ".crt");
		ae_err err = ae_store_state_load(it, s, "T", &st);
		enum ae_cert_state status = err == AE_OK ? st->status : AE_CERT_NONE;

		if (err != AE_OK && err != AE_ERR_NOT_FOUND) {
			return 22;
		}
		err = AE_OK;
		if (status == AE_CERT_PENDING) {
			/* left pending (here or by a killed child): "retrieve" it */
			err = commit_gen(it, s, (unsigned)gen_of(tfile(it, s, "T", ".key.new"), "KEY"));
		} else if (!pair) {
			err = begin_gen(it, s, AE_CERT_ENROLLING, n);
			if (err == AE_OK && op % 2 == 1) {
				err = ae_store_pending(s, "T", "LAB-CA", n);
			}
			if (err == AE_OK) {
				err = commit_gen(it, s, n);
			}
		} else {
			switch (op % 6) {
			case 0: case 1:
				err = begin_gen(it, s, AE_CERT_RENEWING, n);
				if (err == AE_OK) {
					err = commit_gen(it, s, n);
				}
				break;
			case 2:
				err = begin_gen(it, s, AE_CERT_ENROLLING, n);
				if (err == AE_OK) {
					err = commit_gen(it, s, n);
				}
				break;
			case 3:
				err = begin_gen(it, s, AE_CERT_RENEWING, n);
				if (err == AE_OK) {
					err = ae_store_pending(s, "T", "LAB-CA", n);
				}
				if (err == AE_OK) {
					err = ae_store_abort(s, "T", "denied");
				}
				break;
			case 4:
				err = op % 12 == 4 ? ae_store_archive(s, "T", "superseded")
						  : ae_store_remove(s, "T", "revoked");
				break;
			default:	/* a renewal the CA holds: committed next round */
				err = begin_gen(it, s, AE_CERT_RENEWING, n);
				if (err == AE_OK) {
					err = ae_store_pending(s, "T", "LAB-CA", n);
				}
				break;
			}
		}
		if (err != AE_OK) {
			return 21;
		}
		talloc_free(it);
		/* ready once READY_OPS operations are complete: every child makes
		 * progress (an archived pair) whatever the machine's load, and the
		 * random kill lands in the operations after them */
		if (i + 1 == READY_OPS && write(ready, "r", 1) != 1) {
			return 20;
		}
	}
	return 0;
}

static long usec_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000L + (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/* The time of one begin+commit here (fsync-bound), in microseconds. */
static long calibrate(TALLOC_CTX *mem)
{
	char *dir = scratch_dir(mem, "crash");
	struct ae_store *s = open_locked(mem, dir);
	struct timespec t0;
	long us;
	unsigned i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 1; i <= 10; i++) {
		install_gen(mem, s, "T", i == 1 ? AE_CERT_ENROLLING : AE_CERT_RENEWING, i);
	}
	us = usec_since(&t0) / 10;
	talloc_free(s);
	rm_rf(dir);
	return us > 0 ? us : 1;
}

static void test_random_kills(void **state)
{
	TALLOC_CTX *mem = talloc_new(NULL);
	char *dir = scratch_dir(mem, "crash");
	long cycle = calibrate(mem), prev = -1;
	unsigned seed = (unsigned)time(NULL), iter, acted = 0, finished = 0, rolled_back = 0;
	unsigned issued = 0, tmp_swept = 0;
	struct timespec t0;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	print_message("one begin+commit takes %ld us; seed %u\n", cycle, seed);
	for (iter = 0; iter < RANDOM_KILLS; iter++) {
		TALLOC_CTX *it = talloc_new(mem);
		struct ae_store *s = NULL;
		char **notes = NULL, c = 0;
		struct view v;
		int status = 0, pfd[2];
		size_t i;
		pid_t pid;

		assert_int_equal(pipe(pfd), 0);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			close(pfd[0]);
			_exit(loop_child(dir, (iter + 1) * 1000, pfd[1]));
		}
		close(pfd[1]);
		/* once the child completed READY_OPS operations: any instant of a few cycles */
		if (read(pfd[0], &c, 1) != 1) {
			fail_msg("iteration %u: the child ended before it was ready", iter);
		}
		close(pfd[0]);
		usleep((useconds_t)(rand_r(&seed) % (2 * cycle + 1)));
		assert_int_equal(kill(pid, SIGKILL), 0);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status)) {
			fail_msg("iteration %u: the child stopped by itself (%d)", iter,
				 WEXITSTATUS(status));
		}
		(void)raw_invariant(it, &(struct ae_store){ .dir = dir }, "T");
		s = open_locked(it, dir);
		assert_int_equal(ae_store_recover(it, s, &notes), AE_OK);
		for (i = 0; notes[i] != NULL; i++) {
			finished += strstr(notes[i], "finished") != NULL;
			rolled_back += strstr(notes[i], "interrupted before") != NULL ||
				       strstr(notes[i], "discarded an unfinished install") != NULL;
			tmp_swept += strstr(notes[i], "temporary file") != NULL;
		}
		acted += notes[0] != NULL;
		check_recovered(it, s, "T", &v, false);
		issued += v.status == AE_CERT_ISSUED;
		/* the pair installed at the last check is still installed, or archived */
		if (prev >= 0 && v.pair != prev) {
			char *base = talloc_asprintf(it, "%s/archive/T.%lX", dir, prev);
			assert_int_equal(gen_of(slurp(it, talloc_asprintf(it, "%s.crt", base)), "CRT"),
					 prev);
			assert_int_equal(gen_of(slurp(it, talloc_asprintf(it, "%s.key", base)), "KEY"),
					 prev);
		}
		prev = v.pair;
		talloc_free(it);
	}
	{
		TALLOC_CTX *it = talloc_new(mem);
		struct ae_store *s = open_locked(it, dir);
		struct view v;
		check_recovered(it, s, "T", &v, true);	/* every archive entry a pair */
		print_message("%u kills in %ld ms: %u recoveries acted (%u finished, %u rolled back, "
			      "%u temp files), %u found issued, %zu pairs archived\n", iter,
			      usec_since(&t0) / 1000, acted, finished, rolled_back, tmp_swept, issued,
			      v.num_archived);
		assert_true(v.num_archived >= iter / 4);
		talloc_free(it);
	}
	/* the kills landed inside transitions, of each kind */
	assert_int_equal(iter, RANDOM_KILLS);
	assert_true(acted >= iter / 4);
	assert_true(finished >= 1);
	assert_true(rolled_back >= 1);
	rm_rf(dir);
	talloc_free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_kills, setup, teardown),
	};

	int rc;

	talloc_enable_null_tracking();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	talloc_disable_null_tracking();
	return rc;
}
