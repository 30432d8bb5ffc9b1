package planner

import "io"

// Format is one way to print a plan, chosen with -o NAME.
type Format struct {
	Name string
	// Aliases are other names accepted for it (not listed).
	Aliases []string
	Render  func(io.Writer, *Plan) error
}

// Formats is the registry of the plan's output formats, the default
// (table) first: the command line's -o, its help, completion and errors
// all take the list from here.
func Formats() []Format {
	return []Format{
		{Name: "table", Render: RenderTable},
		{Name: "json", Render: EncodeJSON},
		{Name: "yaml", Render: EncodeYAML},
		{Name: "markdown", Aliases: []string{"md"}, Render: RenderMarkdown},
	}
}

// FormatByName is the format called name or one of its aliases; "" is the
// default.
func FormatByName(name string) (Format, bool) { return LookupFormat(Formats(), name) }

// LookupFormat is FormatByName over fs, for a caller that adds renderers
// planner cannot import (the HTML report imports planner).
func LookupFormat(fs []Format, name string) (Format, bool) {
	if name == "" {
		return fs[0], true
	}
	for _, f := range fs {
		if f.Name == name {
			return f, true
		}
		for _, a := range f.Aliases {
			if a == name {
				return f, true
			}
		}
	}
	return Format{}, false
}
