/* sys/poll.h: as <poll.h>, for programs that include it so. */
#include <poll.h>
