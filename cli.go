package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// errHelp marks a request for help (--help, -h): the help went to stdout and run succeeds.
var errHelp = errors.New("help requested")

// command is one subcommand's flags with what its help says: a usage line, a sentence, the
// flags with the environment variables that set them, and an example.
type command struct {
	*flag.FlagSet
	usage    string            // "jixiao load [flags] FILE|DIR..."
	sentence string            // what the command does, in a sentence or two
	example  string            // one or more lines of shell
	env      map[string]string // flag name → the environment variable that sets it
	stdout   io.Writer
	stderr   io.Writer
}

// newCommand returns a command whose flags report errors on stderr; its help goes to stdout
// when asked for and to stderr after a mistake.
func newCommand(name, usage, sentence, example string, env map[string]string, stdout, stderr io.Writer) *command {
	c := &command{FlagSet: flag.NewFlagSet(name, flag.ContinueOnError), usage: usage, sentence: sentence,
		example: example, env: env, stdout: stdout, stderr: stderr}
	c.SetOutput(stderr)
	c.Usage = func() {} // parse prints the help itself, to the stream that fits
	return c
}

// parse parses args. After --help it prints the help on stdout and returns errHelp; after a
// mistake, the flag package's message and the help on stderr and an errUsage.
func (c *command) parse(args []string) error {
	err := c.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		c.printHelp(c.stdout)
		return errHelp
	default:
		fmt.Fprintln(c.stderr)
		c.printHelp(c.stderr)
		return fmt.Errorf("%w: %v", errUsage, err)
	}
}

// fail prints msg and the help on stderr and returns an errUsage.
func (c *command) fail(msg string) error {
	fmt.Fprintf(c.stderr, "%s\n\n", msg)
	c.printHelp(c.stderr)
	return fmt.Errorf("%w: %s", errUsage, msg)
}

// printHelp writes the command's help to w.
func (c *command) printHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s\n\n%s\n\n", c.usage, c.sentence)
	if len(c.env) > 0 {
		fmt.Fprintln(w, "Flags (each also set by the environment variable in brackets when not given):")
	} else {
		fmt.Fprintln(w, "Flags:")
	}
	c.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(w, "  --%s\n    \t%s", strings.TrimSpace(f.Name+" "+name), usage)
		if env := c.env[f.Name]; env != "" {
			fmt.Fprintf(w, " [%s]", env)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" {
			fmt.Fprintf(w, " (default %s)", f.DefValue)
		}
		fmt.Fprintln(w)
	})
	fmt.Fprintf(w, "\nExample:\n")
	for line := range strings.Lines(c.example) {
		fmt.Fprintf(w, "  %s", line)
	}
	fmt.Fprintln(w)
}

// isHelpFlag reports whether arg asks for help the way Go's flag package understands it.
func isHelpFlag(arg string) bool {
	switch arg {
	case "-h", "-help", "--help", "--h":
		return true
	}
	return false
}
