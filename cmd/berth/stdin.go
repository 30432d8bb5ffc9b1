package main

// Standard input as a scenario or demand file: `-f -` and `-d -`, as
// kubectl apply -f - reads a manifest.
//
// MERGE NOTE: helper R1's input.go (branch r1-apply) defines these same
// names — stdinName, readInput, loadScenarioFile, loadDemandFile — on top of
// internal/safefile, with the cap from --max-input-size. When both are on
// main, delete this file: the callers (source.go) need no change, and the
// scripts (testdata/script/stdin_source.txtar) pass with either.

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/berth-dev/berth/inventory"
)

// stdinName is how standard input (-f -, -d -) is named in messages and
// in the plan's source.
const stdinName = "stdin"

// maxStdinBytes bounds what is read from standard input, as
// inventory.LoadScenario bounds a file: a fleet of 100k hosts fits easily,
// and `-f - < /dev/zero` ends with an error instead of filling memory.
const maxStdinBytes = 256 << 20

// readInput reads an input file; "-" reads standard input, at most
// maxStdinBytes. It returns the name to give the input in messages.
func (a *app) readInput(path string) (data []byte, name string, err error) {
	if path != "-" {
		data, err = os.ReadFile(path)
		return data, path, err
	}
	if a.stdin == nil {
		return nil, stdinName, errors.New("-: there is no standard input to read")
	}
	data, err = io.ReadAll(io.LimitReader(a.stdin, maxStdinBytes+1))
	if err != nil {
		return nil, stdinName, fmt.Errorf("reading %s: %w", stdinName, err)
	}
	if len(data) > maxStdinBytes {
		return nil, stdinName, fmt.Errorf("%s is larger than %d MiB, the most berth reads from one input; save it to a file and give its name", stdinName, maxStdinBytes>>20)
	}
	return data, stdinName, nil
}

// loadScenarioFile reads and parses a scenario file (or - for stdin).
func (a *app) loadScenarioFile(path string) (*inventory.Scenario, error) {
	data, name, err := a.readInput(path)
	if err != nil {
		return nil, err
	}
	return inventory.ParseScenario(name, data)
}

// loadDemandFile reads and parses a demand file (or - for stdin).
func (a *app) loadDemandFile(path string) (*inventory.Scenario, error) {
	data, name, err := a.readInput(path)
	if err != nil {
		return nil, err
	}
	return inventory.ParseDemand(name, data)
}
