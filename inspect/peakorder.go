package inspect

import "slices"

// PeakOrder returns the units 0…n−1 (n = len(peak)) sorted by their peak
// time peak[i], earliest first, ties by index: the order of Ghazizadeh's
// sequence plots. When quiet is not nil, the units for which it reports
// true follow all the others, also by peak time. [PeakTimeOrder] and the
// terminal UI's activity view both sort with it.
func PeakOrder(peak []int, quiet func(i int) bool) []int {
	order := make([]int, len(peak))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(i, j int) int {
		if quiet != nil {
			if qi, qj := quiet(i), quiet(j); qi != qj {
				if qj {
					return -1
				}
				return 1
			}
		}
		return peak[i] - peak[j]
	})
	return order
}
