/*
 * i8042.c: the PS/2 controller and the keyboard behind it, through I/O
 * ports 0x60 and 0x64 (one system call per access). Every wait is bounded:
 * a controller or keyboard that does not answer is an error, never a hang.
 */
#include "console.h"

#define PORT_DATA   0x60
#define PORT_STATUS 0x64 /* read: status; write: a controller command */

/* status */
#define ST_OUT_FULL 0x01 /* a byte waits in PORT_DATA */
#define ST_IN_FULL  0x02 /* the controller has not taken the last byte written */
#define ST_AUX      0x20 /* the waiting byte is the mouse port's */

/* controller commands */
#define CMD_READ_CONFIG  0x20
#define CMD_WRITE_CONFIG 0x60
#define CMD_AUX_OFF      0xA7
#define CMD_SELF_TEST    0xAA /* answers 0x55 */
#define CMD_KBD_TEST     0xAB /* answers 0x00 */
#define CMD_KBD_OFF      0xAD
#define CMD_KBD_ON       0xAE
#define SELF_TEST_OK     0x55

/* the configuration byte */
#define CFG_KBD_IRQ       0x01
#define CFG_AUX_IRQ       0x02
#define CFG_KBD_CLOCK_OFF 0x10
#define CFG_AUX_CLOCK_OFF 0x20
#define CFG_TRANSLATE     0x40 /* the controller turns set 2 into set 1 */

/* keyboard commands and answers */
#define KBD_SCANCODE_SET 0xF0 /* then 1-3 to choose, 0 to ask */
#define KBD_SCAN_ON      0xF4
#define KBD_SCAN_OFF     0xF5
#define KBD_ACK          0xFA
#define KBD_RESEND       0xFE

#define WAIT_NS     (100 * 1000000ULL) /* for one byte: generous for real hardware */
#define FLUSH_MAX   64                 /* bytes a flush reads at most */
#define TRIES       3                  /* a keyboard command sent again on RESEND */
#define STRAY_BYTES 16 /* bytes (keys typed meanwhile) skipped looking for an answer */

static unsigned status(struct i8042 *c)
{
    return (unsigned)clk_io_in(c->status, PORT_STATUS, 1);
}

/* Wait until the status has BIT set (SET) or clear. 0, or CLK_ETIMEDOUT. */
static long wait_status(struct i8042 *c, unsigned bit, bool set)
{
    uint64_t deadline = clk_clock_ns() + WAIT_NS;
    while (!(status(c) & bit) != !set)
        if (clk_clock_ns() > deadline)
            return CLK_ETIMEDOUT;
    return 0;
}

/* Write BYTE to PORT once the controller has taken the last one. */
static long put(struct i8042 *c, unsigned port, unsigned byte)
{
    long err = wait_status(c, ST_IN_FULL, false);
    if (err < 0)
        return err;
    return clk_io_out(port == PORT_DATA ? c->data : c->status, port, 1, byte);
}

/* The next byte from the controller, waiting for it: 0-255 or CLK_ETIMEDOUT. */
static long get(struct i8042 *c)
{
    long err = wait_status(c, ST_OUT_FULL, true);
    return err < 0 ? err : clk_io_in(c->data, PORT_DATA, 1);
}

static void flush(struct i8042 *c)
{
    for (int i = 0; i < FLUSH_MAX && (status(c) & ST_OUT_FULL); i++)
        clk_io_in(c->data, PORT_DATA, 1);
}

/* A controller command CMD that answers a byte: the answer or an error. */
static long ask(struct i8042 *c, unsigned cmd)
{
    long err = put(c, PORT_STATUS, cmd);
    return err < 0 ? err : get(c);
}

static long write_config(struct i8042 *c, uint8_t config)
{
    long err = put(c, PORT_STATUS, CMD_WRITE_CONFIG);
    return err < 0 ? err : put(c, PORT_DATA, config);
}

/* Send BYTE to the keyboard until it acknowledges it (sent again on
 * RESEND). 0, CLK_ETIMEDOUT (no answer) or CLK_EIO (refused). */
static long kbd_command(struct i8042 *c, unsigned byte)
{
    for (int try = 0; try < TRIES; try++) {
        long err = put(c, PORT_DATA, byte);
        if (err < 0)
            return err;
        for (int i = 0; i < STRAY_BYTES; i++) {
            long b = get(c);
            if (b < 0 || b == KBD_ACK)
                return b < 0 ? b : 0;
            if (b == KBD_RESEND)
                break;
        }
    }
    return CLK_EIO;
}

/* Ask the keyboard its scancode set: 1-3, or 0 when it did not say. With
 * translation on, the controller translates the answer too (set 2 reads
 * 0x41) or, as QEMU does, not. */
static unsigned scancode_set(struct i8042 *c)
{
    if (kbd_command(c, KBD_SCANCODE_SET) < 0 || kbd_command(c, 0) < 0)
        return 0;
    switch (get(c)) {
    case 1:
    case 0x43: return 1;
    case 2:
    case 0x41: return 2;
    case 3:
    case 0x3F: return 3;
    default: return 0;
    }
}

long i8042_open(struct i8042 *c, long dev)
{
    c->data = clk_ioport_create(dev, PORT_DATA, 1);
    if (c->data < 0)
        return c->data;
    c->status = clk_ioport_create(dev, PORT_STATUS, 1);
    if (c->status < 0)
        return c->status;
    /* An empty ISA port reads as all ones: a status no working controller
     * shows (both buffers full, with both parity and timeout errors). */
    return status(c) == 0xFF ? CLK_ENOENT : 0;
}

/* The controller's part of i8042_setup: both ports off, its own tests,
 * the configuration; the keyboard port on. */
static long controller_setup(struct i8042 *c, uint8_t *config)
{
    if (put(c, PORT_STATUS, CMD_KBD_OFF) < 0 || put(c, PORT_STATUS, CMD_AUX_OFF) < 0)
        return CLK_ENOENT;
    flush(c);
    long cfg = ask(c, CMD_READ_CONFIG);
    if (cfg < 0)
        return CLK_ENOENT;
    *config = (uint8_t)((cfg & ~(CFG_KBD_IRQ | CFG_AUX_IRQ | CFG_KBD_CLOCK_OFF)) |
                        CFG_AUX_CLOCK_OFF | CFG_TRANSLATE);
    long err = write_config(c, *config);
    if (err < 0)
        return err;
    if (ask(c, CMD_SELF_TEST) != SELF_TEST_OK)
        return CLK_EIO;
    /* a self-test may reset the controller: configure it again */
    if ((err = write_config(c, *config)) < 0)
        return err;
    if (ask(c, CMD_KBD_TEST) != 0)
        return CLK_EIO;
    return put(c, PORT_STATUS, CMD_KBD_ON);
}

long i8042_setup(struct i8042 *c, uint8_t *config, unsigned *set)
{
    long err = controller_setup(c, config);
    if (err < 0)
        return err;
    flush(c);
    if ((err = kbd_command(c, KBD_SCAN_OFF)) < 0 || (err = kbd_command(c, KBD_SCANCODE_SET)) < 0 ||
        (err = kbd_command(c, 2)) < 0)
        return err;
    *set = scancode_set(c);
    if ((err = kbd_command(c, KBD_SCAN_ON)) < 0)
        return err;
    flush(c);
    return 0;
}

long i8042_irq_on(struct i8042 *c, uint8_t config)
{
    return write_config(c, config | CFG_KBD_IRQ);
}

int i8042_read(struct i8042 *c, bool *aux)
{
    unsigned st = status(c);
    if (!(st & ST_OUT_FULL))
        return -1;
    *aux = st & ST_AUX;
    return (int)(clk_io_in(c->data, PORT_DATA, 1) & 0xFF);
}
