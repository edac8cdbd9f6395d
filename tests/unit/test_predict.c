/*
 * test_predict.c: the predictive echo engine (client/predict.c) against a
 * fake server screen: epochs, confirmation, rollback of wrong guesses,
 * no echo (passwords), underlining on slow links, and that the server's
 * screen itself is never written.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fb.h"
#include "client.h"

#define MS		LN_NS_PER_MS
#define SLOW		(120 * MS)	/* SRTT: show and underline */
#define FAST		(2 * MS)	/* SRTT: adaptive shows nothing */

/* A 40x5 server screen with the prompt "$ " and the cursor after it. */
static struct fb *
screen(void)
{
	struct fb	*fb = fb_new(40, 5);

	fb_put1(fb, 0, 0, '$', &(struct fb_pen){ 0, 0, 0 });
	fb->cursor.x = 2;
	fb->cursor.y = 0;
	return (fb);
}

/* The server echoes s at its cursor, as a shell in cooked mode would. */
static void
echo(struct fb *fb, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\b') {
			fb->cursor.x--;
			fb_put1(fb, fb->cursor.x, fb->cursor.y, ' ',
			    &(struct fb_pen){ 0, 0, 0 });
			continue;
		}
		fb_put1(fb, fb->cursor.x, fb->cursor.y, (uint8_t)*s,
		    &(struct fb_pen){ 0, 0, 0 });
		fb->cursor.x++;
	}
}

/* The code point drawn at (x, y). */
static uint32_t
at(const struct fb *fb, int x, int y)
{
	return (fb->row[y]->cells[x].cp);
}

/* Types s at time now. */
static void
type(struct predict *pr, const struct fb *fb, const char *s, uint64_t now)
{
	predict_keys(pr, fb, (const uint8_t *)s, strlen(s), now);
}

/*
 * A round trip after now the server holds the input and has echoed s.
 * Returns the time after.
 */
static uint64_t
server_echo(struct predict *pr, struct fb *fb, const char *s, uint64_t now)
{
	now += 60 * MS;
	predict_acked(pr, now);
	echo(fb, s);
	predict_update(pr, fb, now);
	return (now);
}

/*
 * A predictor in mode on a link with that SRTT over a fresh screen. It
 * types "a" and lets the server echo it: the first epoch is confirmed,
 * so what follows shows at once. Returns the time after.
 */
static uint64_t
start(int mode, uint64_t srtt, struct predict **prp, struct fb **fbp)
{
	struct predict	*pr = predict_new(mode);
	struct fb	*fb = screen();
	const struct fb	*o;
	uint64_t	 now = 1000 * MS;

	predict_set_srtt(pr, srtt);
	type(pr, fb, "a", now);
	o = predict_apply(pr, fb, now);
	assert_ptr_equal(o, fb);	/* tentative: not shown */
	now = server_echo(pr, fb, "a", now);
	assert_int_equal(predict_stats(pr)->confirmed, 1);
	*prp = pr;
	*fbp = fb;
	return (now);
}

/* The first keystroke waits for the server; later ones show at once. */
static void
test_epoch_confirmation(void **state)
{
	struct predict	*pr;
	struct fb	*fb;
	const struct fb	*o;
	uint64_t	 now;

	(void)state;
	now = start(PREDICT_ADAPTIVE, SLOW, &pr, &fb);
	type(pr, fb, "bc", now);
	o = predict_apply(pr, fb, now);
	assert_ptr_not_equal(o, fb);
	assert_int_equal(at(o, 2, 0), 'a');
	assert_int_equal(at(o, 3, 0), 'b');
	assert_int_equal(at(o, 4, 0), 'c');
	assert_int_equal(o->cursor.x, 5);
	/* Unconfirmed on a slow link: underlined. */
	assert_int_equal(o->row[0]->cells[3].attr & FB_UNDERLINE_MASK,
	    1 << FB_UNDERLINE_SHIFT);
	/* The server's screen is untouched. */
	assert_int_equal(at(fb, 3, 0), ' ');
	assert_int_equal(fb->cursor.x, 3);

	/* The echo arrives: nothing left to overlay. */
	now = server_echo(pr, fb, "bc", now);
	assert_int_equal(predict_stats(pr)->confirmed, 3);
	assert_ptr_equal(predict_apply(pr, fb, now), fb);
	predict_free(pr);
	fb_free(fb);
}

/* Adaptive on a fast link shows nothing; always shows, not underlined. */
static void
test_modes(void **state)
{
	struct predict	*pr;
	struct fb	*fb;
	const struct fb	*o;
	uint64_t	 now;

	(void)state;
	now = start(PREDICT_ADAPTIVE, FAST, &pr, &fb);
	type(pr, fb, "b", now);
	assert_ptr_equal(predict_apply(pr, fb, now), fb);
	predict_free(pr);
	fb_free(fb);

	now = start(PREDICT_ALWAYS, FAST, &pr, &fb);
	type(pr, fb, "b", now);
	o = predict_apply(pr, fb, now);
	assert_int_equal(at(o, 3, 0), 'b');
	assert_int_equal(o->row[0]->cells[3].attr & FB_UNDERLINE_MASK, 0);
	predict_free(pr);
	fb_free(fb);

	fb = screen();
	pr = predict_new(PREDICT_NEVER);
	predict_set_srtt(pr, SLOW);
	type(pr, fb, "abc", 0);
	assert_int_equal(predict_stats(pr)->predicted, 0);
	assert_ptr_equal(predict_apply(pr, fb, 0), fb);
	predict_free(pr);
	fb_free(fb);
}

/* A wrong guess is rolled back within a round trip; a new epoch begins. */
static void
test_mispredict_rollback(void **state)
{
	struct predict	*pr;
	struct fb	*fb;
	const struct fb	*o;
	uint64_t	 now;

	(void)state;
	now = start(PREDICT_ALWAYS, SLOW, &pr, &fb);
	type(pr, fb, "x", now);
	o = predict_apply(pr, fb, now);
	assert_int_equal(at(o, 3, 0), 'x');

	/* The server shows something else (say, the key was remapped). */
	now = server_echo(pr, fb, "X", now);
	/* Not judged before grace + SRTT: still shown. */
	o = predict_apply(pr, fb, now);
	assert_int_equal(at(o, 3, 0), 'x');
	assert_true(predict_deadline(pr) <= now + 100 * MS + SLOW);
	now = predict_deadline(pr);
	predict_update(pr, fb, now);
	assert_int_equal(predict_stats(pr)->wrong, 1);
	o = predict_apply(pr, fb, now);
	assert_ptr_equal(o, fb);
	assert_int_equal(at(o, 3, 0), 'X');

	/* The next keystroke belongs to an unconfirmed epoch: hidden. */
	type(pr, fb, "y", now);
	assert_ptr_equal(predict_apply(pr, fb, now), fb);
	predict_free(pr);
	fb_free(fb);
}

/* No echo (a password prompt): nothing is ever shown. */
static void
test_password_never_shown(void **state)
{
	struct predict	*pr = predict_new(PREDICT_ALWAYS);
	struct fb	*fb = screen();
	uint64_t	 now = 0;
	int		 i;

	(void)state;
	predict_set_srtt(pr, SLOW);
	/* A fresh session at "Password: ": the server never echoes. */
	for (i = 0; i < 5; i++) {
		type(pr, fb, "s", now);
		assert_ptr_equal(predict_apply(pr, fb, now), fb);
		now += 30 * MS;
		predict_acked(pr, now);
		predict_update(pr, fb, now);
		now += 300 * MS;
		predict_update(pr, fb, now);
		assert_ptr_equal(predict_apply(pr, fb, now), fb);
	}
	assert_int_equal(predict_stats(pr)->confirmed, 0);
	assert_int_equal(predict_stats(pr)->wrong, 0);
	assert_true(predict_stats(pr)->unechoed >= 1);
	predict_free(pr);
	fb_free(fb);
}

/* Backspace blanks the cell before; left and right move the cursor. */
static void
test_backspace_and_arrows(void **state)
{
	struct predict	*pr;
	struct fb	*fb;
	const struct fb	*o;
	uint64_t	 now;

	(void)state;
	now = start(PREDICT_ALWAYS, SLOW, &pr, &fb);	/* "$ a", cursor at 3 */
	type(pr, fb, "bc\177", now);
	o = predict_apply(pr, fb, now);
	assert_int_equal(at(o, 3, 0), 'b');
	assert_int_equal(at(o, 4, 0), ' ');
	assert_int_equal(o->cursor.x, 4);
	type(pr, fb, "\033[D\033[D", now);
	o = predict_apply(pr, fb, now);
	assert_int_equal(o->cursor.x, 2);
	type(pr, fb, "\033[C", now);
	o = predict_apply(pr, fb, now);
	assert_int_equal(o->cursor.x, 3);
	/* Right past the end of the text ("$ ab") is not guessed. */
	type(pr, fb, "\033[C\033[C", now);
	o = predict_apply(pr, fb, now);
	assert_int_equal(o->cursor.x, 4);

	/* The server agrees: all confirmed, nothing wrong. */
	now = server_echo(pr, fb, "bc\b", now);
	assert_int_equal(fb->cursor.x, 4);
	assert_int_equal(predict_stats(pr)->wrong, 0);
	predict_free(pr);
	fb_free(fb);
}

/* Enter starts an unconfirmed epoch and stops guessing until caught up. */
static void
test_enter_is_uncertain(void **state)
{
	struct predict	*pr;
	struct fb	*fb;
	uint64_t	 now;

	(void)state;
	now = start(PREDICT_ALWAYS, SLOW, &pr, &fb);
	type(pr, fb, "\rls", now);
	assert_ptr_equal(predict_apply(pr, fb, now), fb);
	assert_int_equal(predict_stats(pr)->predicted, 1);
	/* Caught up: the new prompt's cursor is a basis again. */
	fb->cursor.x = 2;
	fb->cursor.y = 1;
	predict_update(pr, fb, now + 10 * MS);
	type(pr, fb, "l", now + 10 * MS);
	assert_int_equal(predict_stats(pr)->predicted, 2);
	predict_free(pr);
	fb_free(fb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_confirmation),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_mispredict_rollback),
		cmocka_unit_test(test_password_never_shown),
		cmocka_unit_test(test_backspace_and_arrows),
		cmocka_unit_test(test_enter_is_uncertain),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
