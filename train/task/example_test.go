package task_test

import (
	"fmt"

	"attractor/train/task"
)

func ExampleDCDT() {
	b := task.NewDCDT(160, false).Batch(nil)
	fmt.Println(b.Steps, "steps,", b.Size, "trials")
	for _, w := range b.Windows {
		fmt.Printf("%s [%d, %d)\n", w.Name, w.Start, w.End)
	}
	fmt.Printf("loss weight %.4f early, %.4f in the last 10 steps\n", b.Weight(0, 0)[0], b.Weight(47, 0)[0])
	// Output:
	// 48 steps, 128 trials
	// cue [0, 6)
	// delay [6, 38)
	// reaction [38, 48)
	// loss weight 0.2083 early, 0.7917 in the last 10 steps
}
