package bridge

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

// Describe is the protocol as data: every message's fields and their types
// in a small vocabulary shared with src/bridge/protocol.ts ("int", "string",
// "bool", "vars", "tagged", "json", a shape's name, `T[]` a list, `T?`
// nullable; a field name ending in "?" may be left out). The TS test
// compares it with the TS declaration, so the two cannot drift apart.
func Describe() []byte {
	reqs := map[string]any{}
	for _, r := range requests {
		op, args, answer := r.describe()
		reqs[op] = map[string]any{"args": fieldsOf(args), "answer": typeName(answer)}
	}
	out := map[string]any{
		"version":  ProtocolVersion,
		"calls":    describeAll(hostCalls),
		"events":   describeAll(goEvents),
		"requests": reqs,
		"results":  resultTypes(),
		"shapes":   describeAll(shapes),
	}
	data, _ := json.MarshalIndent(out, "", "  ")
	return data
}

type describable interface {
	describe() (op string, args, answer reflect.Type)
}

func (r Request[Args, A]) describe() (string, reflect.Type, reflect.Type) {
	return r.Op, reflect.TypeOf((*Args)(nil)).Elem(), reflect.TypeOf((*A)(nil)).Elem()
}

func describeAll(table map[string]any) map[string]map[string]string {
	out := map[string]map[string]string{}
	for name, v := range table {
		out[name] = fieldsOf(reflect.TypeOf(v))
	}
	return out
}

func resultTypes() map[string]string {
	out := map[string]string{}
	for name, v := range results {
		out[name] = typeName(reflect.TypeOf(v))
	}
	return out
}

func fieldsOf(t reflect.Type) map[string]string {
	out := map[string]string{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if opts == "omitempty" {
			name += "?"
		}
		out[name] = typeName(f.Type)
	}
	return out
}

var namedTypes = map[reflect.Type]string{
	reflect.TypeOf(sdk.Vars{}): "vars",
	reflect.TypeOf(Tagged{}):   "tagged",
	reflect.TypeOf(JSON{}):     "json",
	reflect.TypeOf(none(nil)):  "null",
}

func typeName(t reflect.Type) string {
	if n, ok := namedTypes[t]; ok {
		return n
	}
	for name, v := range shapes {
		if reflect.TypeOf(v) == t {
			return name
		}
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int64:
		return "int"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "bool"
	case reflect.Slice:
		return typeName(t.Elem()) + "[]"
	case reflect.Pointer:
		return typeName(t.Elem()) + "?"
	}
	panic(fmt.Sprintf("bridge protocol: no name for type %s", t))
}
