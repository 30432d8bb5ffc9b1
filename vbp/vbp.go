// Package vbp reads vector bin packing instances in the `.vbp` format used
// by Brandão & Pedroso's VPSolver and by the benchmark sets of Mommessin,
// Erlebach & Shakhlevich (2025), and turns them into placement problems.
//
// The format is whitespace-separated integers:
//
//	d                 number of dimensions
//	C1 ... Cd         bin capacity per dimension
//	m                 number of item lines that follow
//	w1 ... wd q       an item's size per dimension, then its multiplicity
//
// One item line is one line of text; the reader keeps line numbers so that a
// malformed file is reported as "file:line: what is wrong".
package vbp

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/berth-dev/berth/placement"
)

// Limits on what the reader accepts, so that a hostile file cannot make it
// allocate without bound.
const (
	MaxDims  = 1000
	MaxItems = 1_000_000 // after expanding multiplicities
)

// Instance is one vector bin packing instance: identical bins of Capacity
// and Items to pack, one entry per item (multiplicities expanded).
type Instance struct {
	Name     string
	Dims     int
	Capacity []int64   // len Dims, each > 0
	Items    [][]int64 // each len Dims, 0 ≤ size ≤ Capacity
}

// Error is a malformed-input error with the file and line it was found on.
type Error struct {
	File string
	Line int // 1-based; 0 = end of file
	Msg  string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return fmt.Sprintf("%s: end of file: %s", e.File, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ReadFile reads the instance in path; its Name is the file name without
// the .vbp extension.
func ReadFile(path string) (*Instance, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	inst, err := Read(path, f)
	if err != nil {
		return nil, err
	}
	inst.Name = strings.TrimSuffix(filepath.Base(path), ".vbp")
	return inst, nil
}

// Read parses one instance from r. file names the input in error messages
// and becomes the instance's Name.
func Read(file string, r io.Reader) (*Instance, error) {
	lr := &lineReader{file: file, sc: bufio.NewScanner(r)}
	lr.sc.Buffer(make([]byte, 64*1024), 16*1024*1024)

	d, err := lr.ints(1, "the number of dimensions")
	if err != nil {
		return nil, err
	}
	if d[0] < 1 || d[0] > MaxDims {
		return nil, lr.errf("number of dimensions %d out of range [1,%d]", d[0], MaxDims)
	}
	dims := int(d[0])
	capacity, err := lr.ints(dims, "the capacities")
	if err != nil {
		return nil, err
	}
	for k, c := range capacity {
		if c <= 0 {
			return nil, lr.errf("capacity %d in dimension %d, want > 0", c, k+1)
		}
	}
	m, err := lr.ints(1, "the number of item lines")
	if err != nil {
		return nil, err
	}
	if m[0] < 0 || m[0] > MaxItems {
		return nil, lr.errf("number of item lines %d out of range [0,%d]", m[0], MaxItems)
	}
	inst := &Instance{Name: file, Dims: dims, Capacity: capacity}
	for i := int64(0); i < m[0]; i++ {
		f, err := lr.ints(dims+1, fmt.Sprintf("item line %d of %d", i+1, m[0]))
		if err != nil {
			return nil, err
		}
		size, q := f[:dims], f[dims]
		for k, w := range size {
			if w < 0 || w > capacity[k] {
				return nil, lr.errf("item size %d in dimension %d, want 0..%d (the capacity)", w, k+1, capacity[k])
			}
		}
		if q < 0 || int64(len(inst.Items))+q > MaxItems {
			return nil, lr.errf("multiplicity %d out of range", q)
		}
		for ; q > 0; q-- {
			inst.Items = append(inst.Items, size)
		}
	}
	if line, ok := lr.next(); ok {
		return nil, &Error{File: file, Line: lr.line, Msg: fmt.Sprintf("unexpected data after %d item lines: %q", m[0], trim(line))}
	}
	if err := lr.sc.Err(); err != nil {
		return nil, &Error{File: file, Line: lr.line, Msg: err.Error()}
	}
	return inst, nil
}

type lineReader struct {
	file string
	sc   *bufio.Scanner
	line int
}

// next returns the next non-blank line.
func (lr *lineReader) next() (string, bool) {
	for lr.sc.Scan() {
		lr.line++
		if s := strings.TrimSpace(lr.sc.Text()); s != "" {
			return s, true
		}
	}
	return "", false
}

func (lr *lineReader) errf(format string, args ...any) error {
	return &Error{File: lr.file, Line: lr.line, Msg: fmt.Sprintf(format, args...)}
}

// ints reads the next non-blank line as exactly n integers.
func (lr *lineReader) ints(n int, what string) ([]int64, error) {
	s, ok := lr.next()
	if !ok {
		if err := lr.sc.Err(); err != nil {
			return nil, &Error{File: lr.file, Line: lr.line + 1, Msg: err.Error()}
		}
		return nil, &Error{File: lr.file, Msg: "missing " + what}
	}
	fields := strings.Fields(s)
	if len(fields) != n {
		return nil, lr.errf("%s: got %d numbers, want %d", what, len(fields), n)
	}
	out := make([]int64, n)
	for i, f := range fields {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, lr.errf("%s: %q is not an integer", what, trim(f))
		}
		out[i] = v
	}
	return out, nil
}

func trim(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// ToProblem maps the instance onto a placement problem with no existing
// hosts and one host model (the bin) that may be bought without limit: the
// number of bins a solution uses is len(Solution.NewHosts).
func ToProblem(inst *Instance) *placement.Problem {
	d, g := inst.Dims, len(inst.Items)
	p := &placement.Problem{
		DimNames:   make([]string, d),
		GuestNames: make([]string, g),
		Demand:     make([]float64, 0, g*d),
		Appetite:   make([]int8, g),
		Group:      make([]int32, g),
		Rack:       []int32{},
		Zone:       []int32{},
		Offered:    []float64{},
	}
	for k := range d {
		p.DimNames[k] = "d" + strconv.Itoa(k+1)
	}
	offer := make([]float64, d)
	for k, c := range inst.Capacity {
		offer[k] = float64(c)
	}
	p.Models = []placement.Model{{Name: "bin", Offered: offer, Rack: -1, Zone: -1}}
	for i, it := range inst.Items {
		p.GuestNames[i] = "item" + strconv.Itoa(i+1)
		for _, w := range it {
			p.Demand = append(p.Demand, float64(w))
		}
		p.Appetite[i] = -1
		p.Group[i] = placement.NoHost
	}
	return p
}
