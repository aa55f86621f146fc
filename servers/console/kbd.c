/*
 * kbd.c: scancode set 1 to terminal bytes, US layout (see kbd.h).
 */
#include "kbd.h"
#include <string.h>

#define ESC "\x1b"

#define CODE_LSHIFT 0x2A
#define CODE_RSHIFT 0x36
#define CODE_CTRL   0x1D /* right Ctrl: 0xE0 first */
#define CODE_ALT    0x38 /* right Alt: 0xE0 first */
#define CODE_CAPS   0x3A
#define CODE_NUM    0x45
#define CODE_TAB    0x0F
#define KP_FIRST    0x47 /* the keypad's 7 ... */
#define KP_LAST     0x53 /* ... to its '.' */
#define BREAK       0x80

/* The character of each key of the main block, without and with Shift
 * (0: not a character key). */
static const char plain[0x59] = {
    [0x01] = 0x1B, [0x02] = '1',  [0x03] = '2',  [0x04] = '3',  [0x05] = '4',  [0x06] = '5',
    [0x07] = '6',  [0x08] = '7',  [0x09] = '8',  [0x0A] = '9',  [0x0B] = '0',  [0x0C] = '-',
    [0x0D] = '=',  [0x0E] = 0x7F, [0x0F] = '\t', [0x10] = 'q',  [0x11] = 'w',  [0x12] = 'e',
    [0x13] = 'r',  [0x14] = 't',  [0x15] = 'y',  [0x16] = 'u',  [0x17] = 'i',  [0x18] = 'o',
    [0x19] = 'p',  [0x1A] = '[',  [0x1B] = ']',  [0x1C] = '\r', [0x1E] = 'a',  [0x1F] = 's',
    [0x20] = 'd',  [0x21] = 'f',  [0x22] = 'g',  [0x23] = 'h',  [0x24] = 'j',  [0x25] = 'k',
    [0x26] = 'l',  [0x27] = ';',  [0x28] = '\'', [0x29] = '`',  [0x2B] = '\\', [0x2C] = 'z',
    [0x2D] = 'x',  [0x2E] = 'c',  [0x2F] = 'v',  [0x30] = 'b',  [0x31] = 'n',  [0x32] = 'm',
    [0x33] = ',',  [0x34] = '.',  [0x35] = '/',  [0x37] = '*',  [0x39] = ' ',  [0x4A] = '-',
    [0x4E] = '+',  [0x56] = '<',
};

static const char shifted[0x59] = {
    [0x01] = 0x1B, [0x02] = '!',  [0x03] = '@',  [0x04] = '#',  [0x05] = '$', [0x06] = '%',
    [0x07] = '^',  [0x08] = '&',  [0x09] = '*',  [0x0A] = '(',  [0x0B] = ')', [0x0C] = '_',
    [0x0D] = '+',  [0x0E] = 0x7F, [0x0F] = '\t', [0x10] = 'Q',  [0x11] = 'W', [0x12] = 'E',
    [0x13] = 'R',  [0x14] = 'T',  [0x15] = 'Y',  [0x16] = 'U',  [0x17] = 'I', [0x18] = 'O',
    [0x19] = 'P',  [0x1A] = '{',  [0x1B] = '}',  [0x1C] = '\r', [0x1E] = 'A', [0x1F] = 'S',
    [0x20] = 'D',  [0x21] = 'F',  [0x22] = 'G',  [0x23] = 'H',  [0x24] = 'J', [0x25] = 'K',
    [0x26] = 'L',  [0x27] = ':',  [0x28] = '"',  [0x29] = '~',  [0x2B] = '|', [0x2C] = 'Z',
    [0x2D] = 'X',  [0x2E] = 'C',  [0x2F] = 'V',  [0x30] = 'B',  [0x31] = 'N', [0x32] = 'M',
    [0x33] = '<',  [0x34] = '>',  [0x35] = '?',  [0x37] = '*',  [0x39] = ' ', [0x4A] = '-',
    [0x4E] = '+',  [0x56] = '>',
};

/* The function keys (no 0xE0 prefix). */
static const char *const function_keys[0x59] = {
    [0x3B] = ESC "OP",   [0x3C] = ESC "OQ",   [0x3D] = ESC "OR",   [0x3E] = ESC "OS",
    [0x3F] = ESC "[15~", [0x40] = ESC "[17~", [0x41] = ESC "[18~", [0x42] = ESC "[19~",
    [0x43] = ESC "[20~", [0x44] = ESC "[21~", [0x57] = ESC "[23~", [0x58] = ESC "[24~",
};

/* The navigation keys, after 0xE0. The keypad sends the same codes
 * without it (while Num Lock is off). */
static const char *const navigation[0x54] = {
    [0x47] = ESC "[H",  [0x48] = ESC "[A",  [0x49] = ESC "[5~", [0x4B] = ESC "[D",
    [0x4D] = ESC "[C",  [0x4F] = ESC "[F",  [0x50] = ESC "[B",  [0x51] = ESC "[6~",
    [0x52] = ESC "[2~", [0x53] = ESC "[3~",
};

/* The keypad with Num Lock on, from KP_FIRST. */
static const char keypad_digits[] = "789-456+1230.";

void kbd_init(struct kbd *k)
{
    memset(k, 0, sizeof(*k));
    k->num_lock = true;
}

static size_t put(char *out, const char *s)
{
    size_t n = strlen(s);
    memcpy(out, s, n);
    return n;
}

/* The byte Ctrl turns C (after Shift) into, as xterm sends it. */
static char control(char c)
{
    if (c >= 'a' && c <= 'z')
        return (char)(c - 'a' + 1);
    if (c >= '@' && c <= '_') /* A-Z and @ [ \ ] ^ _ */
        return (char)(c - '@');
    switch (c) {
    case ' ':
    case '2': return 0x00;
    case '6': return 0x1E;
    case '-':
    case '/': return 0x1F;
    case '?': return 0x7F;
    case 0x7F: return 0x08;
    default: return c;
    }
}

/* One character C with Ctrl (if CTRL) and Alt applied. */
static size_t character(const struct kbd *k, char c, bool ctrl, char *out)
{
    size_t n = 0;
    if (k->mods & (KBD_LALT | KBD_RALT))
        out[n++] = 0x1B;
    out[n++] = ctrl ? control(c) : c;
    return n;
}

/* A press of a lock key: toggles LOCK unless the key is held already
 * (a typematic repeat). */
static void lock_press(bool *lock, bool *held)
{
    if (!*held)
        *lock = !*lock;
    *held = true;
}

/* Keep track of modifier and lock keys. Returns true when CODE (without
 * its break bit; EXT after 0xE0) was one. */
static bool modifier(struct kbd *k, uint8_t code, bool ext, bool up)
{
    uint8_t bit;
    switch (code) {
    case CODE_LSHIFT:
    case CODE_RSHIFT:
        if (ext) /* the "fake" Shifts some keyboards send around extended keys */
            return true;
        bit = code == CODE_LSHIFT ? KBD_LSHIFT : KBD_RSHIFT;
        break;
    case CODE_CTRL: bit = ext ? KBD_RCTRL : KBD_LCTRL; break;
    case CODE_ALT: bit = ext ? KBD_RALT : KBD_LALT; break;
    case CODE_CAPS:
        if (up)
            k->caps_held = false;
        else
            lock_press(&k->caps_lock, &k->caps_held);
        return true;
    case CODE_NUM:
        if (up)
            k->num_held = false;
        else
            lock_press(&k->num_lock, &k->num_held);
        return true;
    default: return false;
    }
    if (up)
        k->mods &= (uint8_t)~bit;
    else
        k->mods |= bit;
    return true;
}

/* A key of the keypad's digit block, without 0xE0. */
static size_t keypad(const struct kbd *k, uint8_t code, char *out)
{
    if (k->num_lock)
        return character(k, keypad_digits[code - KP_FIRST], false, out);
    return navigation[code] ? put(out, navigation[code]) : 0; /* 5 does nothing */
}

/* A key press without 0xE0. */
static size_t main_key(const struct kbd *k, uint8_t code, char *out)
{
    if (code >= KP_FIRST && code <= KP_LAST && code != 0x4A && code != 0x4E)
        return keypad(k, code, out);
    if (code >= sizeof(plain))
        return 0;
    if (function_keys[code])
        return put(out, function_keys[code]);
    char c = plain[code];
    if (!c)
        return 0;
    bool shift = k->mods & (KBD_LSHIFT | KBD_RSHIFT);
    if (code == CODE_TAB && shift)
        return put(out, ESC "[Z");
    if (k->caps_lock && c >= 'a' && c <= 'z')
        shift = !shift;
    return character(k, shift ? shifted[code] : c, k->mods & (KBD_LCTRL | KBD_RCTRL), out);
}

/* A key press after 0xE0. */
static size_t extended_key(const struct kbd *k, uint8_t code, char *out)
{
    bool ctrl = k->mods & (KBD_LCTRL | KBD_RCTRL);
    if (code == 0x1C) /* keypad Enter */
        return character(k, '\r', ctrl, out);
    if (code == 0x35) /* keypad / */
        return character(k, '/', ctrl, out);
    if (code < sizeof(navigation) / sizeof(navigation[0]) && navigation[code])
        return put(out, navigation[code]);
    return 0; /* the Windows keys, Menu, Print Screen, Break, media keys */
}

size_t kbd_feed(struct kbd *k, uint8_t code, char out[KBD_OUT_MAX])
{
    if (k->e1_left) { /* Pause: E1 1D 45 pressed, E1 9D C5 released */
        k->e1_left--;
        return 0;
    }
    if (code == 0xE1) {
        k->e1_left = 2;
        k->e0 = false;
        return 0;
    }
    if (code == 0xE0) {
        k->e0 = true;
        return 0;
    }
    bool ext = k->e0, up = code & BREAK;
    k->e0 = false;
    code &= (uint8_t)~BREAK;
    if (modifier(k, code, ext, up) || up)
        return 0;
    return ext ? extended_key(k, code, out) : main_key(k, code, out);
}
