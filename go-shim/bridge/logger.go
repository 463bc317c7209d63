package bridge

import (
	"fmt"
	"io"
	"strings"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

// logger is sdk.Logger delivering to the JS logger of context `ctx`, `depth`
// sub-loggers below it. Formatting happens here, as Gilbert did (fmt.Sprint
// for Log, fmt.Sprintf for Logf); indentation and colour belong to the TS sink.
type logger struct {
	ctx   int64
	depth int
}

var _ sdk.Logger = (*logger)(nil)

func (l *logger) SubLogger() sdk.Logger { return &logger{ctx: l.ctx, depth: l.depth + 1} }

func (l *logger) Format(format string, args ...interface{}) string {
	return fmt.Sprintf(format, args...)
}

func (l *logger) put(level string, msg string) { emitLog(l.ctx, level, l.depth, msg) }

func (l *logger) Log(args ...interface{})                { l.put("log", fmt.Sprint(args...)) }
func (l *logger) Logf(f string, args ...interface{})     { l.put("log", fmt.Sprintf(f, args...)) }
func (l *logger) Debug(args ...interface{})              { l.put("debug", fmt.Sprint(args...)) }
func (l *logger) Debugf(f string, args ...interface{})   { l.put("debug", fmt.Sprintf(f, args...)) }
func (l *logger) Warn(args ...interface{})               { l.put("warn", fmt.Sprint(args...)) }
func (l *logger) Warnf(f string, args ...interface{})    { l.put("warn", fmt.Sprintf(f, args...)) }
func (l *logger) Error(args ...interface{})              { l.put("error", fmt.Sprint(args...)) }
func (l *logger) Errorf(f string, args ...interface{})   { l.put("error", fmt.Sprintf(f, args...)) }
func (l *logger) Info(args ...interface{})               { l.put("info", fmt.Sprint(args...)) }
func (l *logger) Infof(f string, args ...interface{})    { l.put("info", fmt.Sprintf(f, args...)) }
func (l *logger) Success(args ...interface{})            { l.put("success", fmt.Sprint(args...)) }
func (l *logger) Successf(f string, args ...interface{}) { l.put("success", fmt.Sprintf(f, args...)) }

// Write logs each non-empty line at the plain level, as Gilbert's logger did
// (it is what plugins hand to exec.Cmd.Stdout).
func (l *logger) Write(data []byte) (int, error) {
	l.writeLines("log", data)
	return len(data), nil
}

func (l *logger) writeLines(level string, data []byte) {
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSuffix(line, "\r"); line != "" {
			l.put(level, line)
		}
	}
}

func (l *logger) ErrorWriter() io.Writer { return errorWriter{l} }

type errorWriter struct{ l *logger }

func (w errorWriter) Write(data []byte) (int, error) {
	w.l.writeLines("error", data)
	return len(data), nil
}
