//go:build unix

package saved

import "syscall"

// oNonblock makes opening a named pipe return at once.
const oNonblock = syscall.O_NONBLOCK
