package saved

// DType names the element type a tensor had in its file. Every tensor is
// held as float64 in memory whatever its file type.
type DType string

// Element types read and written by this package.
const (
	Float16  DType = "float16"
	BFloat16 DType = "bfloat16"
	Float32  DType = "float32"
	Float64  DType = "float64"
	Int64    DType = "int64"
	Int32    DType = "int32"
)

// Tensor is one named array of a weight file, held as float64 in row-major
// (C) order whatever its type and order in the file.
type Tensor struct {
	Name  string
	Shape []int     // empty for a scalar
	DType DType     // element type in the file
	Data  []float64 // row-major, len = product of Shape
}

// Len returns the number of elements the shape declares.
func (t *Tensor) Len() int {
	n := 1
	for _, d := range t.Shape {
		n *= d
	}
	return n
}
