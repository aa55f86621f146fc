/*
 * test_kbd.c: the console driver's scancode translation
 * (servers/console/kbd.c): every key of the US layout, Shift, Caps Lock,
 * Ctrl, Alt, the extended (0xE0) keys and their escape sequences, the
 * keypad with and without Num Lock, releases, typematic repeats, the fake
 * Shifts around extended keys, Pause's 0xE1 sequence and the controller's
 * own bytes.
 */
#include "console/kbd.h"
#include <unit.h>

static struct kbd k;
static char got[1024];
static size_t got_len;

/* Feed the LEN scancodes at CODES; collect what they produce in GOT. */
static void feed(const uint8_t *codes, size_t len)
{
    got_len = 0;
    for (size_t i = 0; i < len; i++) {
        char out[KBD_OUT_MAX + 4];
        memset(out, 0x5A, sizeof(out));
        size_t n = kbd_feed(&k, codes[i], out);
        CHECK(n <= KBD_OUT_MAX);
        CHECK((uint8_t)out[n] == 0x5A); /* nothing written past what it says */
        CHECK(got_len + n < sizeof(got));
        memcpy(got + got_len, out, n);
        got_len += n;
    }
}

#define FEED(...)                                                                                  \
    do {                                                                                           \
        const uint8_t codes_[] = { __VA_ARGS__ };                                                  \
        feed(codes_, sizeof(codes_));                                                              \
    } while (0)

/* GOT must be the bytes EXPECT, of EXPECT_LEN (strings may hold NUL). */
static void check_got(const char *expect, size_t expect_len, int line)
{
    if (got_len != expect_len || memcmp(got, expect, got_len) != 0) {
        char shown[256] = "";
        for (size_t i = 0; i < got_len && strlen(shown) < 240; i++)
            snprintf(shown + strlen(shown), sizeof(shown) - strlen(shown), "%02x ",
                     (uint8_t)got[i]);
        unit_fail(__FILE__, line, "got %zu bytes [%s], expected %zu", got_len, shown, expect_len);
    }
}
#define GOT(s) check_got(s, sizeof(s) - 1, __LINE__)

/* Press and release the key of make code CODE (without 0xE0). */
static void tap(uint8_t code)
{
    uint8_t codes[2] = { code, (uint8_t)(code | 0x80) };
    feed(codes, 2);
}

static void fresh(void)
{
    memset(&k, 0xA5, sizeof(k));
    kbd_init(&k);
}

static void test_letters_digits_and_punctuation(void)
{
    static const struct {
        uint8_t code;
        char plain, shifted;
    } keys[] = {
        { 0x1E, 'a', 'A' },  { 0x30, 'b', 'B' }, { 0x2E, 'c', 'C' },  { 0x20, 'd', 'D' },
        { 0x12, 'e', 'E' },  { 0x21, 'f', 'F' }, { 0x22, 'g', 'G' },  { 0x23, 'h', 'H' },
        { 0x17, 'i', 'I' },  { 0x24, 'j', 'J' }, { 0x25, 'k', 'K' },  { 0x26, 'l', 'L' },
        { 0x32, 'm', 'M' },  { 0x31, 'n', 'N' }, { 0x18, 'o', 'O' },  { 0x19, 'p', 'P' },
        { 0x10, 'q', 'Q' },  { 0x13, 'r', 'R' }, { 0x1F, 's', 'S' },  { 0x14, 't', 'T' },
        { 0x16, 'u', 'U' },  { 0x2F, 'v', 'V' }, { 0x11, 'w', 'W' },  { 0x2D, 'x', 'X' },
        { 0x15, 'y', 'Y' },  { 0x2C, 'z', 'Z' }, { 0x02, '1', '!' },  { 0x03, '2', '@' },
        { 0x04, '3', '#' },  { 0x05, '4', '$' }, { 0x06, '5', '%' },  { 0x07, '6', '^' },
        { 0x08, '7', '&' },  { 0x09, '8', '*' }, { 0x0A, '9', '(' },  { 0x0B, '0', ')' },
        { 0x0C, '-', '_' },  { 0x0D, '=', '+' }, { 0x1A, '[', '{' },  { 0x1B, ']', '}' },
        { 0x2B, '\\', '|' }, { 0x27, ';', ':' }, { 0x28, '\'', '"' }, { 0x29, '`', '~' },
        { 0x33, ',', '<' },  { 0x34, '.', '>' }, { 0x35, '/', '?' },  { 0x39, ' ', ' ' },
    };
    fresh();
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        tap(keys[i].code);
        CHECK_EQ(got_len, 1);
        CHECK_EQ(got[0], keys[i].plain);
        FEED(0x2A, keys[i].code, keys[i].code | 0x80, 0xAA); /* left Shift */
        CHECK_EQ(got_len, 1);
        CHECK_EQ(got[0], keys[i].shifted);
        FEED(0x36, keys[i].code, keys[i].code | 0x80, 0xB6); /* right Shift */
        CHECK_EQ(got_len, 1);
        CHECK_EQ(got[0], keys[i].shifted);
    }
    CHECK_EQ(k.mods, 0);
}

static void test_enter_backspace_tab_escape(void)
{
    fresh();
    tap(0x1C);
    GOT("\r");
    tap(0x0E);
    GOT("\x7f");
    tap(0x0F);
    GOT("\t");
    tap(0x01);
    GOT("\x1b");
    FEED(0x2A, 0x0F, 0x8F, 0xAA);
    GOT("\x1b[Z"); /* Shift-Tab */
    FEED(0x2A, 0x1C, 0x0E, 0x01, 0xAA);
    GOT("\r\x7f\x1b"); /* Shift changes none of these */
}

static void test_shift_held_and_released(void)
{
    fresh();
    FEED(0x2A, 0x23, 0xA3, 0x17, 0x97, 0xAA, 0x23, 0xA3);
    GOT("HIh");
    /* both Shifts: releasing one keeps the other */
    FEED(0x2A, 0x36, 0xAA, 0x1E, 0xB6, 0x1E);
    GOT("Aa");
    /* typematic repeats: a make code per repeat, one break */
    FEED(0x1E, 0x1E, 0x1E, 0x9E);
    GOT("aaa");
}

static void test_caps_lock(void)
{
    fresh();
    FEED(0x3A, 0xBA, 0x1E, 0x02, 0x1A);
    GOT("A1["); /* letters only */
    FEED(0x2A, 0x1E, 0x02, 0xAA);
    GOT("a!"); /* Shift inverts Caps Lock for letters */
    /* held down, Caps Lock repeats: it toggles once per press */
    FEED(0x3A, 0x3A, 0x3A, 0xBA, 0x1E);
    GOT("a");
    CHECK(!k.caps_lock);
    FEED(0x3A, 0xBA, 0x3A, 0xBA, 0x1E);
    GOT("a");
}

static void test_ctrl(void)
{
    fresh();
    /* Ctrl-A .. Ctrl-Z are 0x01 .. 0x1A, with either Ctrl, Shift or not */
    static const uint8_t letters[26] = { 0x1E, 0x30, 0x2E, 0x20, 0x12, 0x21, 0x22, 0x23, 0x17,
                                         0x24, 0x25, 0x26, 0x32, 0x31, 0x18, 0x19, 0x10, 0x13,
                                         0x1F, 0x14, 0x16, 0x2F, 0x11, 0x2D, 0x15, 0x2C };
    for (unsigned i = 0; i < 26; i++) {
        uint8_t left[] = { 0x1D, letters[i], letters[i] | 0x80, 0x9D };
        feed(left, sizeof(left));
        CHECK_EQ(got_len, 1);
        CHECK_EQ(got[0], i + 1);
        uint8_t right[] = { 0xE0, 0x1D, 0x2A, letters[i], 0xAA, 0xE0, 0x9D };
        feed(right, sizeof(right));
        CHECK_EQ(got_len, 1);
        CHECK_EQ(got[0], i + 1);
    }
    FEED(0x1D, 0x2E, 0xAE, 0x9D, 0x2E);
    GOT("\x03"
        "c"); /* Ctrl-C, then Ctrl is up */
    FEED(0x1D, 0x39, 0x1A, 0x2B, 0x1B, 0x35, 0x0E, 0x02);
    GOT("\x00\x1b\x1c\x1d\x1f\x08\x31"); /* Ctrl-Space [ \ ] / Backspace, and Ctrl-1 is 1 */
    FEED(0x2A, 0x03, 0x07, 0x0C, 0x35, 0x9D, 0xAA);
    GOT("\x00\x1e\x1f\x7f"); /* Ctrl-@ ^ _ ? */
    FEED(0x3A, 0xBA, 0x1D, 0x1E, 0x9D, 0x3A, 0xBA);
    GOT("\x01"); /* Caps Lock does not matter */
}

static void test_alt_sends_escape_first(void)
{
    fresh();
    FEED(0x38, 0x30, 0xB0, 0xB8, 0x30);
    GOT("\x1b"
        "bb");
    FEED(0xE0, 0x38, 0x2A, 0x30, 0xAA, 0xE0, 0xB8); /* AltGr is Alt on the US layout */
    GOT("\x1b"
        "B");
    FEED(0x38, 0x1D, 0x2E, 0x9D, 0xB8);
    GOT("\x1b\x03");
    FEED(0x38, 0xE0, 0x48, 0xE0, 0xC8, 0xB8);
    GOT("\x1b[A"); /* sequences stay as they are */
}

static void test_extended_keys(void)
{
    fresh();
    FEED(0xE0, 0x48, 0xE0, 0xC8);
    GOT("\x1b[A");
    FEED(0xE0, 0x50, 0xE0, 0xD0);
    GOT("\x1b[B");
    FEED(0xE0, 0x4D, 0xE0, 0xCD);
    GOT("\x1b[C");
    FEED(0xE0, 0x4B, 0xE0, 0xCB);
    GOT("\x1b[D");
    FEED(0xE0, 0x47, 0xE0, 0xC7);
    GOT("\x1b[H");
    FEED(0xE0, 0x4F, 0xE0, 0xCF);
    GOT("\x1b[F");
    FEED(0xE0, 0x53, 0xE0, 0xD3);
    GOT("\x1b[3~");
    FEED(0xE0, 0x52, 0xE0, 0x49, 0xE0, 0x51);
    GOT("\x1b[2~\x1b[5~\x1b[6~");
    FEED(0xE0, 0x1C, 0xE0, 0x9C, 0xE0, 0x35, 0xE0, 0xB5);
    GOT("\r/"); /* keypad Enter and / */
    /* held: a sequence per repeat */
    FEED(0xE0, 0x48, 0xE0, 0x48, 0xE0, 0xC8);
    GOT("\x1b[A\x1b[A");
    /* the fake Shifts around an arrow (Num Lock on): no Shift results */
    FEED(0xE0, 0x2A, 0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0xAA, 0x1E);
    GOT("\x1b[Aa");
    /* Windows keys, Menu, Print Screen, volume: nothing */
    FEED(0xE0, 0x5B, 0xE0, 0xDB, 0xE0, 0x5D, 0xE0, 0xDD, 0xE0, 0x2A, 0xE0, 0x37, 0xE0, 0xB7, 0xE0,
         0xAA, 0xE0, 0x30, 0xE0, 0xB0);
    GOT("");
    CHECK_EQ(k.mods, 0);
    /* the prefix applies to one code only */
    FEED(0xE0, 0x1D, 0x1E, 0xE0, 0x9D, 0x1E);
    GOT("\x01"
        "a");
}

static void test_function_keys(void)
{
    fresh();
    FEED(0x3B, 0x3C, 0x3D, 0x3E, 0x3F, 0x40, 0x41, 0x42, 0x43, 0x44, 0x57, 0x58);
    GOT("\x1bOP\x1bOQ\x1bOR\x1bOS\x1b[15~\x1b[17~\x1b[18~\x1b[19~\x1b[20~\x1b[21~\x1b[23~\x1b[24~");
}

static void test_keypad_and_num_lock(void)
{
    fresh();
    FEED(0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F, 0x50, 0x51, 0x52, 0x53, 0x37);
    GOT("789-456+1230.*");
    FEED(0x45, 0xC5); /* Num Lock off */
    CHECK(!k.num_lock);
    FEED(0x47, 0x48, 0x49, 0x4A, 0x4B, 0x4C, 0x4D, 0x4E, 0x4F, 0x50, 0x51, 0x52, 0x53, 0x37);
    GOT("\x1b[H\x1b[A\x1b[5~-\x1b[D\x1b[C+\x1b[F\x1b[B\x1b[6~\x1b[2~\x1b[3~*");
    FEED(0x45, 0x45, 0xC5, 0x4F); /* on again, once despite the repeat */
    GOT("1");
}

static void test_pause_and_controller_bytes(void)
{
    fresh();
    /* Pause: E1 1D 45 E1 9D C5, which must not look like Ctrl or Num Lock */
    FEED(0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, 0x1E);
    GOT("a");
    CHECK(k.num_lock);
    CHECK_EQ(k.mods, 0);
    /* acknowledgements, resends, echo, errors, self-test results */
    FEED(0xFA, 0xFE, 0xEE, 0x00, 0xFF, 0xAA, 0xFC, 0xFD, 0x55);
    GOT("");
    CHECK_EQ(k.mods, 0);
    /* unknown make codes */
    FEED(0x54, 0x55, 0x59, 0x5A, 0x64, 0x70, 0x7F);
    GOT("");
}

static void test_releases_produce_nothing(void)
{
    fresh();
    for (unsigned c = 0x80; c <= 0xFF; c++) {
        if (c == 0xE0 || c == 0xE1)
            continue;
        uint8_t code = (uint8_t)c;
        feed(&code, 1);
        CHECK_EQ(got_len, 0);
        uint8_t ext[2] = { 0xE0, code };
        feed(ext, 2);
        CHECK_EQ(got_len, 0);
    }
    CHECK_EQ(k.mods, 0);
}

int main(void)
{
    RUN(test_letters_digits_and_punctuation);
    RUN(test_enter_backspace_tab_escape);
    RUN(test_shift_held_and_released);
    RUN(test_caps_lock);
    RUN(test_ctrl);
    RUN(test_alt_sends_escape_first);
    RUN(test_extended_keys);
    RUN(test_function_keys);
    RUN(test_keypad_and_num_lock);
    RUN(test_pause_and_controller_bytes);
    RUN(test_releases_produce_nothing);
    return 0;
}
