package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/berth-dev/berth/internal/safefile"
	"github.com/berth-dev/berth/inventory"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"
)

// Exit codes, documented in docs/cli.md.
const (
	exitOK        = 0
	exitError     = 1 // bad input, I/O, refused
	exitChanges   = 2 // --detailed-exitcode: the plan has changes
	exitUnplaced  = 3 // demand not placed, failover check fails, or the plan breaks a rule
	exitPartially = 4 // apply: some actions done, some not
)

// codedError carries an exit code through cobra's error return.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// withCode wraps err so that run exits with code.
func withCode(code int, err error) error { return &codedError{code: code, err: err} }

// silentExit ends the run with code without printing anything more (the
// command has already said what happened).
type silentExit int

func (s silentExit) Error() string { return fmt.Sprintf("exit %d", int(s)) }

// app is the state one run of berth shares between its commands: streams
// and the per-run viper instance. Nothing here is global, so tests can run
// many commands in one process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	v              *viper.Viper
	configFile     string // --config
	configUsed     string // the config file read, "" for none
	configData     []byte // its content, for positions in messages
	// usage is the load history read with the live hosts (--usage), for
	// the explorer's sparklines; nil without.
	usage *usageResult
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer recoverCrash(stderr, &code)
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, v: viper.New()}
	root := newRootCmd(a)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var s silentExit
	if errors.As(err, &s) {
		return int(s)
	}
	fmt.Fprintln(stderr, "berth: "+err.Error())
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	return exitError
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "berth",
		Short: "Plan, explore and apply guest placements on libvirt/KVM fleets",
		Long: `berth places guest VMs on a fleet of libvirt/KVM hosts so that each host's
leftover resources get used: spare CPU takes CPU-heavy web guests, spare disk
I/O takes I/O-heavy DB guests, spare memory takes memory-heavy cache guests.
It knows the whole batch at once, keeps replicas apart and budgets for
virtualisation overhead.`,
		Example: `  berth plan                        # plan the embedded default scenario
  berth plan -f fleet.yaml -o json  # plan your own scenario, print JSON
  berth scenarios list              # the scenarios built into berth`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.loadConfig(cmd)
		},
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.PersistentFlags().StringVar(&a.configFile, "config", "",
		"config file (default ./berth.yaml, then $XDG_CONFIG_HOME/berth/config.yaml)")
	registerVersionFlag(root)
	registerInputFlags(root)
	root.AddCommand(
		newApplyCmd(a),
		newBenchCmd(a),
		newCheckCmd(a),
		newDrainCmd(a),
		newInventoryCmd(a),
		newExploreCmd(a),
		newPlanCmd(a),
		newRebalanceCmd(a),
		newReportCmd(a),
		newScenariosCmd(a),
		newValidateCmd(a),
		newVersionCmd(a),
		newWavesCmd(a),
	)
	addCompletionExamples(root)
	return root
}

// completionExamples are the examples of cobra's `completion` command and
// of its one subcommand per shell, so that every --help shows some.
var completionExamples = map[string]string{
	"completion": `  source <(berth completion bash)                 # this shell
  berth completion bash > /etc/bash_completion.d/berth
  berth completion zsh > "${fpath[1]}/_berth"`,
	"bash": `  source <(berth completion bash)                 # this shell
  berth completion bash > /etc/bash_completion.d/berth   # every new shell`,
	"zsh": `  source <(berth completion zsh)                  # this shell
  berth completion zsh > "${fpath[1]}/_berth"      # every new shell`,
	"fish": `  berth completion fish | source                  # this shell
  berth completion fish > ~/.config/fish/completions/berth.fish`,
	"powershell": `  berth completion powershell | Out-String | Invoke-Expression`,
}

// addCompletionExamples adds cobra's `completion` command now (rather than
// when berth runs) and gives it and its subcommands their examples.
func addCompletionExamples(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		c.Example = completionExamples["completion"]
		for _, sh := range c.Commands() {
			sh.Example = completionExamples[sh.Name()]
		}
	}
}

// loadConfig reads the config file and environment into the run's viper and
// binds the command's flags, so that a value is taken from (highest first)
// a flag the user set, a BERTH_* environment variable, the config file, then
// the flag's default.
func (a *app) loadConfig(cmd *cobra.Command) error {
	v := a.v
	v.SetEnvPrefix("BERTH")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_", ".", "_"))
	v.AutomaticEnv()
	path, hint := a.configFile, ""
	if path != "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".yaml", ".yml", ".json", ".toml":
		default:
			return fmt.Errorf("config %s: name a .yaml, .yml, .json or .toml file (the type is taken from the extension)", path)
		}
	} else if path, hint = defaultConfigFile(), " (fix it, or pass --config)"; path == "" {
		return a.bindFlags(cmd)
	}
	limit, err := configInputLimit(cmd)
	if err != nil {
		return err
	}
	data, err := safefile.ReadFile(path, limit)
	if err != nil {
		return fmt.Errorf("reading config %s: %w%s", path, err, hint)
	}
	if a.configFile == "" && looksLikeScenario(data) {
		// A fleet saved as ./berth.yaml is a scenario, not berth's
		// configuration: say so once and carry on without it.
		fmt.Fprintf(a.stderr, "berth: %s is a scenario file (it has apiVersion), not a config file; not reading it as configuration (plan it with -f %s)\n", path, path)
		return a.bindFlags(cmd)
	}
	v.SetConfigType(strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("reading config %s: %w%s", path, err, hint)
	}
	a.configUsed, a.configData = path, data
	if err := checkConfigKeys(cmd.Root(), path, data); err != nil {
		return err
	}
	return a.bindFlags(cmd)
}

// bindFlags binds the command's flags to the run's viper, so that a flag
// the user did not set is filled from the environment or the config, and
// checks the settings every command shares.
func (a *app) bindFlags(cmd *cobra.Command) error {
	v := a.v
	var bindErr error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name == "config" || f.Name == "help" || f.Name == "usage" {
			// usage: in the config is a section; --usage is read
			// beside it (usageSettings), not instead of it.
			return
		}
		if err := v.BindPFlag(f.Name, f); err != nil && bindErr == nil {
			bindErr = err
		}
	})
	if bindErr != nil {
		return bindErr
	}
	_, err := a.maxInput()
	return err
}

// configSections are the config file's keys that are not flags: what the
// libvirt features read (docs/inventory.md, docs/apply.md).
var configSections = []string{"hosts", "hostClasses", "rolePatterns", "guestDefaults", "templates", planKeyConfig}

// commandLineOnly are apply's flags that change a fleet: a config file may
// not set them.
var commandLineOnly = map[string]bool{"yes": true, "force": true, "refresh": true}

// looksLikeScenario reports whether a YAML document has an apiVersion, as
// scenario and demand files do and config files do not.
func looksLikeScenario(data []byte) bool {
	var doc struct {
		APIVersion string `yaml:"apiVersion"`
	}
	return yaml.Unmarshal(data, &doc) == nil && doc.APIVersion != ""
}

// checkConfigKeys refuses a config file with a key that is neither a flag
// of some berth command nor a known section, so a typo ("stratgy") or a
// scenario saved as berth.yaml is an error that names the file rather than
// a setting silently ignored.
func checkConfigKeys(root *cobra.Command, path string, data []byte) error {
	file := viper.New()
	file.SetConfigType(strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), "."))
	if err := file.ReadConfig(bytes.NewReader(data)); err != nil {
		return fmt.Errorf("reading config %s: %w", path, err)
	}
	known := map[string]bool{}
	var names []string
	add := func(name string) {
		if !known[strings.ToLower(name)] {
			known[strings.ToLower(name)] = true
			names = append(names, name)
		}
	}
	for _, s := range configSections {
		add(s)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) { add(f.Name) })
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	delete(known, "config")
	delete(known, "help")
	delete(known, "version") // berth --version, not a setting
	var bad []string
	for key := range file.AllSettings() {
		if commandLineOnly[key] {
			bad = append(bad, fmt.Sprintf("%q is taken from the command line only (it changes a fleet)", key))
			continue
		}
		if !known[key] {
			bad = append(bad, fmt.Sprintf("unknown key %q%s", key, inventory.Suggestion(key, names)))
		}
	}
	if len(bad) == 0 {
		return nil
	}
	slices.Sort(bad)
	hint := "config keys are the flags of berth's commands (docs/cli.md) and " + strings.Join(configSections, ", ")
	if file.IsSet("apiVersion") {
		hint = "this looks like a scenario file: give it with -f, and keep berth.yaml for configuration"
	}
	return fmt.Errorf("config %s: %s (%s)", path, strings.Join(bad, "; "), hint)
}

// defaultConfigFile is ./berth.yaml if it exists, else
// $XDG_CONFIG_HOME/berth/config.yaml (~/.config when unset) if it exists.
func defaultConfigFile() string {
	if _, err := os.Stat("berth.yaml"); err == nil {
		return "berth.yaml"
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	path := filepath.Join(dir, "berth", "config.yaml")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	return ""
}
