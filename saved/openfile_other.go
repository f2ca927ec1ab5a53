//go:build !unix

package saved

// oNonblock is 0 where the system has no O_NONBLOCK; OpenRegular's check
// before opening still refuses pipes.
const oNonblock = 0
