/*
 * The host tests' whole framework: one line per test case on stdout,
 *   PASS <name>
 *   FAIL <name>: <what differed>
 * and exit status 1 when any case failed (tests/run counts these lines).
 * Nothing else is printed on stdout.  Within a case every failed check is
 * recorded; the first few are joined into the one FAIL line.
 */
#ifndef TESTLIB_H
#define TESTLIB_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *t_name;
static char t_msg[900];
static int t_fails, t_any_failed, t_cases;

static void t_begin(const char *name)
{
	t_name = name;
	t_msg[0] = 0;
	t_fails = 0;
}

/* Records one difference; the message never contains a newline. */
static void __attribute__((format(printf, 1, 2))) t_fail(const char *fmt, ...)
{
	char one[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(one, sizeof(one), fmt, ap);
	va_end(ap);
	for (char *p = one; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	size_t used = strlen(t_msg);
	if (t_fails < 4 && used + strlen(one) + 3 < sizeof(t_msg))
		snprintf(t_msg + used, sizeof(t_msg) - used, "%s%s", t_fails ? "; " : "", one);
	else if (t_fails == 4 && used + 8 < sizeof(t_msg))
		snprintf(t_msg + used, sizeof(t_msg) - used, "; ...");
	t_fails++;
}

static int t_end(void)
{
	t_cases++;
	if (t_fails) {
		printf("FAIL %s: %s\n", t_name, t_msg);
		t_any_failed = 1;
	} else {
		printf("PASS %s\n", t_name);
	}
	fflush(stdout);
	return !t_fails;
}

static int t_exit_status(void)
{
	return t_any_failed ? 1 : 0;
}

#define CHECK(cond, ...)                  \
	do {                              \
		if (!(cond))              \
			t_fail(__VA_ARGS__); \
	} while (0)

#define CHECK_EQ_U64(what, got, want)                                                  \
	do {                                                                           \
		unsigned long long g_ = (unsigned long long)(got);                     \
		unsigned long long w_ = (unsigned long long)(want);                    \
		if (g_ != w_)                                                          \
			t_fail("%s: got %#llx, want %#llx", (what), g_, w_);           \
	} while (0)

#endif
