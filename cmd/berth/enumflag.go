package main

import (
	"fmt"
	"slices"

	"github.com/berth-dev/berth/inventory"
	"github.com/berth-dev/berth/planner"
	"github.com/spf13/cobra"
)

// enumFlag is a flag whose value is one word of a registry (the planner's
// strategies or output formats, the policy's objectives or modes). The
// words are never typed here: the help lists them, the shell completes
// them and a value that is not one of them is refused with the list,
// whether it came from the flag (when the command line is parsed), a
// BERTH_* variable or the config file (when read, through value).
type enumFlag struct {
	name  string   // the flag's name, also its config key
	what  string   // what a word names, for messages: "output format"
	words []string // the registry's words, in the order to list them
	// aliases are other spellings accepted for a word ("md" → "markdown").
	aliases map[string]string
}

// The enum flags of berth's commands, each from its registry.
var (
	strategyFlag     = enumFlag{name: "strategy", what: "strategy", words: planner.Strategies()}
	objectiveFlag    = enumFlag{name: "objective", what: "objective", words: inventory.Objectives.Names()}
	failoverModeFlag = enumFlag{name: "failover-mode", what: "failover mode", words: inventory.FailoverModes.Names()}
	sameAppetiteFlag = enumFlag{name: "same-appetite", what: "same-appetite mode", words: inventory.AppetiteModes.Names()}
	shutoffFlag      = enumFlag{name: "shutoff", what: "rule for shut-off guests", words: inventory.ShutoffRules.Names()}
	outputFlag       = formatFlag()
)

// formatFlag is -o, --output over the planner's output formats.
func formatFlag() enumFlag {
	// "" (an empty config value) is the default, as for planner.FormatByName.
	f := enumFlag{name: "output", what: "output format", aliases: map[string]string{"": planFormats()[0].Name}}
	for _, format := range planFormats() {
		f.words = append(f.words, format.Name)
		for _, a := range format.Aliases {
			f.aliases[a] = format.Name
		}
	}
	return f
}

// register defines the flag on cmd (short may be "") with usage followed
// by the words in brackets, and its completion.
func (e enumFlag) register(cmd *cobra.Command, short, def, usage string) {
	v := &enumValue{flag: e, value: def}
	cmd.Flags().VarP(v, e.name, short, usage+" ("+inventory.OrList(e.words)+")")
	_ = cmd.RegisterFlagCompletionFunc(e.name, cobra.FixedCompletions(e.words, cobra.ShellCompDirectiveNoFileComp))
}

// value is the flag's word from wherever it was set (flag > env > config
// > default), refused unless it is one of the words; aliases are mapped
// to their word.
func (e enumFlag) value(a *app) (string, error) { return e.check(a.v.GetString(e.name)) }

// check maps s to its word, or says what the words are.
func (e enumFlag) check(s string) (string, error) {
	if slices.Contains(e.words, s) {
		return s, nil
	}
	if w, ok := e.aliases[s]; ok {
		return w, nil
	}
	return "", fmt.Errorf("unknown %s %q: want %s%s", e.what, s, inventory.OrList(e.words), inventory.Suggestion(s, e.words))
}

// enumValue is an enumFlag's pflag.Value: Set refuses a word not in the
// registry while the command line is parsed.
type enumValue struct {
	flag  enumFlag
	value string
}

func (v *enumValue) String() string { return v.value }

func (v *enumValue) Set(s string) error {
	w, err := v.flag.check(s)
	if err != nil {
		return err
	}
	v.value = w
	return nil
}

// Type is "string", so that viper reads the flag's value as one.
func (v *enumValue) Type() string { return "string" }
