/*
 * param.h: every tunable limit of the kernel, in one place.
 */
#ifndef CLK_PARAM_H
#define CLK_PARAM_H

#define CLK_VERSION "0.1.0"

/* Stacks */
#define KSTACK_PAGES 4  /* 16 KiB per kernel stack */
#define KSTACK_SLOTS 64 /* kernel stacks that may exist at once */

/* Physical memory */
#define BUDDY_MAX_ORDER 10 /* largest block: 2^10 pages = 4 MiB */
#define MEMMAP_MAX      64 /* memory-map entries kept from the boot loader */
#define MODULES_MAX     16 /* boot modules kept from the boot loader */

/* Kernel memory map */
#define KERNEL_MMIO_RANGES 16 /* device ranges the kernel maps itself (refused to drivers) */

/* Device access */
#define DEVICE_MMIO_MAX_PAGES 262144 /* 1 GiB: the largest MMIO_CREATE (MAP maps page by page) */

/* Actors */
#define USER_STACK_PAGES 16 /* 64 KiB user stack per actor */
#define ELF_MAX_PHDRS    16 /* program headers an executable may have */
#define ELF_MAX_SEGMENTS 8  /* of which loadable */
#define TIMESLICE_TICKS  1  /* timer ticks (1/HZ s) a thread runs before round robin */
#define CAP_SLOTS        32 /* capability slots an actor's table starts with */

/* The root actor's quota (and so everyone's most) */
#define ROOT_QUOTA_CAPS          4096
#define ROOT_QUOTA_MAILBOX_SLOTS 65536
#define ROOT_QUOTA_THREADS       256
#define ROOT_DEATHS_MAX          3  /* restarts of user space after the root actor died */
#define ROOT_PRIO                16 /* the root actor's priority (services default to 8) */

/* Kernel log */
#define LOG_BUF_SIZE      16384 /* ring buffer of formatted log text */
#define LOG_LEVEL_DEFAULT 3     /* LOG_INFO */

/* Command line */
#define CMDLINE_MAX      512
#define TESTNAME_MAX     32
#define CMDLINE_PATH_MAX 64

/* Time */
#define HZ 100 /* periodic timer tick */

/* Console input */
#define CONSOLE_INBUF 256

/* Backtraces */
#define BACKTRACE_MAX 24

#endif
