package sweep_test

import (
	"fmt"

	"attractor/train/sweep"
)

// A Kurtkaya-style grid: 3 learning rates × 2 delays × 2 seeds.
func ExampleParseSpec() {
	spec, err := sweep.ParseSpec("phase.toml", []byte(`
task = "dcdt"
seeds = 2
[base]
epochs = 300
[grid]
lr = { logspace = [-1, -3, 3] }
delay_ms = [0, 200]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(spec.Len(), "networks; swept:", spec.Fields())
	fmt.Println("network 7:", spec.Config(7))
	// Output:
	// 12 networks; swept: [lr delay_ms seed]
	// network 7: map[delay_ms:200 epochs:300 lr:0.01 seed:1]
}

// A spec error names the file, the line and the field.
func ExampleParseSpec_error() {
	_, err := sweep.ParseSpec("census.toml", []byte(`task = "spm"
[grid]
g = [0.8, 1.5]
fb = [1, 0]
`))
	fmt.Println(err)
	// Output:
	// census.toml:4: grid.fb: value 1 (0): feedback scale fb = 0 must be positive
}

// EC-26: is the limit-cycle fraction larger with the post-reaction period
// (row 1) than without (row 2)? One-sided p, then Bonferroni over 8 delays.
func ExampleFisherExact() {
	r, _ := sweep.FisherExact(8, 2, 1, 5)
	fmt.Printf("p = %.4f, corrected %.4f\n", r.Greater, sweep.Bonferroni(r.Greater, 8))
	// Output:
	// p = 0.0245, corrected 0.1958
}
