package bridge

import (
	"os"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

// tsScope is sdk.ScopeAccessor backed by a host Scope: variables and `{{ }}` /
// `{% %}` expansion live in TypeScript, so each method is a request. The
// interface has no error result for most methods: a failed request (host side
// gone) reads as "not found" / empty, which is what a plugin can handle.
type tsScope struct{ id int64 }

var _ sdk.ScopeAccessor = (*tsScope)(nil)

func (s *tsScope) AppendVariables(vars sdk.Vars) sdk.ScopeAccessor {
	_, _ = reqAppendVariables.ask(ScopeVarsArgs{Scope: s.id, Vars: vars})
	return s
}

func (s *tsScope) AppendGlobals(vars sdk.Vars) sdk.ScopeAccessor {
	_, _ = reqAppendGlobals.ask(ScopeVarsArgs{Scope: s.id, Vars: vars})
	return s
}

func (s *tsScope) Global(name string) (string, bool) {
	out, err := reqGlobal.ask(ScopeNameArgs{Scope: s.id, Name: name})
	if err != nil || out == nil {
		return "", false
	}
	return *out, true
}

func (s *tsScope) Var(name string) (isLocal bool, value string, ok bool) {
	out, err := reqVariable.ask(ScopeNameArgs{Scope: s.id, Name: name})
	if err != nil || out == nil {
		return false, "", false
	}
	return out.IsLocal, out.Value, true
}

func (s *tsScope) Vars() sdk.Vars {
	out, err := reqVars.ask(ScopeArgs{Scope: s.id})
	if err != nil || out == nil {
		return sdk.Vars{}
	}
	return out
}

func (s *tsScope) ExpandVariables(expr string) (string, error) {
	out, err := reqExpand.ask(ScopeExpandArgs{Scope: s.id, Exprs: []string{expr}})
	if err != nil {
		return "", err
	}
	if len(out) != 1 {
		return "", &WireError{Message: "gilbert-ts bug: scope.expand answered no value"}
	}
	return out[0], nil
}

// Scan expands all strings in one request (one round trip, not one each).
func (s *tsScope) Scan(values ...*string) error {
	exprs := make([]string, len(values))
	for i, v := range values {
		exprs[i] = *v
	}
	out, err := reqExpand.ask(ScopeExpandArgs{Scope: s.id, Exprs: exprs})
	if err != nil {
		return err
	}
	if len(out) != len(values) {
		return &WireError{Message: "gilbert-ts bug: scope.expand answered the wrong number of values"}
	}
	for i, v := range values {
		*v = out[i]
	}
	return nil
}

func (s *tsScope) Environment() sdk.ProjectEnvironment {
	out, err := reqEnvironment.ask(ScopeArgs{Scope: s.id})
	if err != nil {
		out.ProjectDirectory, _ = os.Getwd()
	}
	return sdk.ProjectEnvironment{ProjectDirectory: out.ProjectDirectory}
}

func (s *tsScope) Environ() []string {
	out, err := reqEnviron.ask(ScopeArgs{Scope: s.id})
	if err != nil {
		return os.Environ()
	}
	return out
}
