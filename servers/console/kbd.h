/*
 * kbd.h: a PC keyboard's scancodes turned into the bytes a serial terminal
 * sends, US layout. Pure code (no system calls): the console driver feeds
 * it what the i8042 reads, and tests/unit/test_kbd.c and
 * tests/fuzz/fuzz_kbd.c drive it on the host.
 *
 * Input: scancode set 1, as an i8042 that translates (its default) turns
 * the keyboard's set 2 into: a make code per key press (and per typematic
 * repeat), the same code with bit 7 set on release, 0xE0 before the codes
 * of the extended keys (arrows, the navigation block, right Ctrl and Alt,
 * keypad Enter and /), and 0xE1 before the two-byte codes of Pause.
 *
 * Output, per key press:
 *   letters, digits,        as the US layout prints them; Shift, and Caps
 *   punctuation, space      Lock for letters (Shift inverts it)
 *   Ctrl+key                Ctrl-A..Ctrl-Z 0x01..0x1A, Ctrl-@/Space 0x00,
 *                           Ctrl-[ \ ] ^ _ 0x1B..0x1F, Ctrl-/ 0x1F, Ctrl-?
 *                           0x7F, Ctrl-Backspace 0x08 (as xterm); others as
 *                           without Ctrl
 *   Alt+key                 ESC, then the key's byte (xterm's metaSendsEscape)
 *   Enter, keypad Enter     '\r' (what a terminal sends on the serial line)
 *   Backspace               0x7F (DEL, as terminals send it)
 *   Tab, Shift-Tab, Esc     '\t', "\x1b[Z", 0x1B
 *   arrows                  "\x1b[A" up, "\x1b[B" down, "\x1b[C" right, "\x1b[D" left
 *   Home, End               "\x1b[H", "\x1b[F"
 *   Insert, Delete          "\x1b[2~", "\x1b[3~"
 *   Page Up, Page Down      "\x1b[5~", "\x1b[6~"
 *   F1-F4, F5-F12           "\x1bOP".."\x1bOS", "\x1b[15~".."\x1b[24~" (xterm)
 *   keypad                  with Num Lock (on at first): digits and '.';
 *                           without: the navigation keys; * - + / always
 * Releases, modifiers, lock keys, prefixes and unknown codes (the
 * controller's 0xFA acknowledgements, say) produce nothing. Modifiers do
 * not change escape sequences (no xterm "\x1b[1;5A" forms).
 */
#ifndef CONSOLE_KBD_H
#define CONSOLE_KBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KBD_OUT_MAX 8 /* the most bytes one scancode produces */

/* Modifier keys held down (struct kbd.mods). */
enum kbd_mod {
    KBD_LSHIFT = 0x01,
    KBD_RSHIFT = 0x02,
    KBD_LCTRL = 0x04,
    KBD_RCTRL = 0x08,
    KBD_LALT = 0x10,
    KBD_RALT = 0x20,
};

/* The keyboard's state between scancodes. */
struct kbd {
    uint8_t mods;             /* enum kbd_mod bits */
    bool caps_lock, num_lock; /* the locks' states */
    bool caps_held, num_held; /* their keys are down: repeats do not toggle */
    bool e0;                  /* the last byte was the 0xE0 prefix */
    uint8_t e1_left;          /* bytes of a Pause sequence still to skip (0-2) */
};

/* A keyboard with no key down, Caps Lock off and Num Lock on. */
void kbd_init(struct kbd *k);

/* Feed one scancode byte. Writes the bytes a key press produces to OUT
 * (room for KBD_OUT_MAX) and returns their number, 0 for everything else. */
size_t kbd_feed(struct kbd *k, uint8_t code, char out[KBD_OUT_MAX]);

#endif
