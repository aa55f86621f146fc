/*
 * fuzz_kbd.c: libFuzzer target for the console driver's scancode
 * translation (servers/console/kbd.c). Feeds the input as a stream of
 * scancodes, as an i8042 delivers them, and checks that no code writes more
 * than it says or more than KBD_OUT_MAX bytes, that the state stays in
 * range, that a release never produces anything, and that once every key
 * is released no modifier remains.
 */
#include "console/kbd.h"
#include <unit.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kbd k;
    kbd_init(&k);
    for (size_t i = 0; i < size; i++) {
        char out[KBD_OUT_MAX + 1];
        out[KBD_OUT_MAX] = 0x5A;
        size_t n = kbd_feed(&k, data[i], out);
        CHECK(n <= KBD_OUT_MAX);
        CHECK(out[KBD_OUT_MAX] == 0x5A);
        CHECK(k.e1_left <= 2);
        CHECK((k.mods & ~0x3Fu) == 0);
        if (data[i] & 0x80) /* a release, a prefix or the controller's */
            CHECK(n == 0);
    }
    /* release every modifier, with and without 0xE0: none stays held */
    static const uint8_t release[] = { 0xE0, 0x00, 0xAA, 0xB6, 0x9D, 0xB8, 0xE0, 0x9D, 0xE0, 0xB8 };
    for (size_t i = 0; i < sizeof(release); i++) {
        char out[KBD_OUT_MAX];
        CHECK(kbd_feed(&k, release[i], out) == 0);
    }
    CHECK(k.mods == 0);
    return 0;
}
