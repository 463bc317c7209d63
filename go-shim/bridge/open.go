package bridge

import (
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"plugin"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	sdk "github.com/go-gilbert/gilbert-sdk"
)

const sdkModule = "github.com/go-gilbert/gilbert-sdk"

type openPlugin struct {
	path    string
	name    string
	actions sdk.Actions
}

// openGoPlugin checks the file before plugin.Open, because some faults are
// not errors there: a shared library with no Go module data makes the Go
// runtime throw ("no plugin module data"), killing the host. Build info
// (measured: in plugins from go1.21 to go1.26; go1.19 plugins had none) lets
// us name the mismatching toolchain, module or flag instead of a bare package
// hash error.
func openGoPlugin(path string) (*openPlugin, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, &WireError{Message: fmt.Sprintf("plugin file '%s' not found", path),
			Hint: "check the path in `plugins:` (file:// URLs are relative to the project directory)"}
	} else if st.IsDir() {
		return nil, &WireError{Message: fmt.Sprintf("plugin file '%s' is a directory, not a Go plugin", path)}
	}
	if err := checkIsGoPlugin(path); err != nil {
		return nil, err
	}
	p, err := plugin.Open(path)
	if err != nil {
		return nil, diagnoseOpenError(path, err)
	}
	name, err := lookupName(p, path)
	if err != nil {
		return nil, err
	}
	actions, err := lookupActions(p, path)
	if err != nil {
		return nil, err
	}
	return &openPlugin{path: path, name: name, actions: actions}, nil
}

func notAPlugin(path, why string) error {
	return &WireError{
		Message: fmt.Sprintf("'%s' is not a Go plugin: %s", path, why),
		Hint:    "build it with `go build -buildmode=plugin` against " + sdkModule + " v0.9.0",
	}
}

func checkIsGoPlugin(path string) error {
	// Build info is read alike from ELF and Mach-O; the ELF file is opened for its type and symbols only.
	f, elfErr := elf.Open(path)
	if elfErr == nil {
		defer f.Close()
		if f.Type != elf.ET_DYN {
			return notAPlugin(path, "not a shared library")
		}
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		if elfErr != nil {
			return notAPlugin(path, fmt.Sprintf("not %s shared library", nativeFormat()))
		}
		if hasGoPluginSymbols(f) {
			return &WireError{
				Message: fmt.Sprintf("plugin '%s' carries no Go build info: it was built by a Go toolchain older than 1.18", path),
				Hint:    rebuildHint(),
			}
		}
		return notAPlugin(path, "it has no Go build info (a C library, or not built by Go)")
	}
	if mode := setting(info, "-buildmode"); mode != "plugin" {
		return notAPlugin(path, fmt.Sprintf("it is a Go -buildmode=%s build", orDefault(mode, "exe")))
	}
	return checkABI(path, info)
}

// nativeFormat is the kind of shared library plugin.Open takes here.
func nativeFormat() string {
	if runtime.GOOS == "darwin" {
		return "a Mach-O"
	}
	return "an ELF"
}

func hasGoPluginSymbols(f *elf.File) bool {
	syms, err := f.DynamicSymbols()
	if err != nil {
		return false
	}
	for _, s := range syms {
		if strings.HasPrefix(s.Name, "go:link.pkghash.") || strings.HasPrefix(s.Name, "go.link.pkghash.") {
			return true
		}
	}
	return false
}

// checkABI compares what plugin.Open compares by package hashes: toolchain,
// shared module versions and -trimpath (which changes package contents).
func checkABI(path string, plug *buildinfo.BuildInfo) error {
	host, ok := debug.ReadBuildInfo()
	if !ok {
		return nil
	}
	var problems []string
	if plug.GoVersion != host.GoVersion {
		problems = append(problems, fmt.Sprintf("it was built with %s, gilbert-ts's Go shim with %s", plug.GoVersion, host.GoVersion))
	}
	hostDeps := map[string]string{}
	for _, d := range host.Deps {
		hostDeps[d.Path] = d.Version
	}
	for _, d := range plug.Deps {
		if v, shared := hostDeps[d.Path]; shared && v != d.Version {
			problems = append(problems, fmt.Sprintf("it uses %s %s, the shim %s", d.Path, d.Version, v))
		}
	}
	if pt, ht := setting(plug, "-trimpath") == "true", setting(host, "-trimpath") == "true"; pt != ht {
		problems = append(problems, fmt.Sprintf("it was built %s -trimpath, the shim %s", withOrWithout(pt), withOrWithout(ht)))
	}
	for _, key := range abiSettings {
		if pv, hv := abiSetting(plug, key), abiSetting(host, key); pv != hv {
			problems = append(problems, fmt.Sprintf("its %s is %s, the shim's %s", key, orDefault(pv, "not set"), orDefault(hv, "not set")))
		}
	}
	if len(problems) == 0 {
		return nil
	}
	return &WireError{
		Message: fmt.Sprintf("plugin '%s' does not match gilbert-ts's Go shim: %s", path, strings.Join(problems, "; ")),
		Hint:    rebuildHint(),
	}
}

// abiSettings change the contents of packages shared with the host, beside
// -trimpath (as in src/plugins/abi/compare.ts).
var abiSettings = []string{"-race", "-msan", "-asan", "-tags", "-gcflags", "GOEXPERIMENT", "GOAMD64", "GOARM", "GOARM64", "GO386", "GOPPC64", "GORISCV64"}

// abiSetting is a build setting, with the per-module path rewrites gilbert-ts
// adds to a matching shim (-gcflags=<module>/...=-trimpath=…=>…) not counted:
// they make paths agree and change no code.
func abiSetting(info *debug.BuildInfo, key string) string {
	value := setting(info, key)
	if key == "-gcflags" && strings.Contains(value, "/...=-trimpath=") && strings.Contains(value, "=>") {
		return ""
	}
	return value
}

// diagnoseOpenError runs after checkABI found toolchain, module versions and
// flags equal, so a package hash mismatch left means the package was compiled
// from other paths: Go never says so, it says "different version".
func diagnoseOpenError(path string, err error) error {
	msg := err.Error()
	be := &WireError{Message: fmt.Sprintf("failed to load plugin, %s (file '%s')", msg, path)}
	if i := strings.Index(msg, "different version of package "); i >= 0 {
		pkg := strings.TrimSpace(msg[i+len("different version of package "):])
		be.Message = fmt.Sprintf("plugin '%s' does not match gilbert-ts's Go shim: Go's plugin.Open says package %s differs, although the toolchain, module versions and build flags are equal; "+
			"so it was compiled from other source paths (built without -trimpath under another module cache or a vendor folder) or with a setting Go does not record", path, pkg)
		be.Hint = "gilbert-ts builds a shim with the plugin's source paths when it can read them from the plugin (Go >= 1.18 build info); else rebuild the plugin with -trimpath, or on this machine with " + shimGoVersion()
	}
	return be
}

func rebuildHint() string {
	host, _ := debug.ReadBuildInfo()
	sdkVersion := "v0.9.0"
	trim := false
	if host != nil {
		for _, d := range host.Deps {
			if d.Path == sdkModule {
				sdkVersion = d.Version
			}
		}
		trim = setting(host, "-trimpath") == "true"
	}
	return fmt.Sprintf("rebuild the plugin with %s and gilbert-sdk %s %s -trimpath (go build -buildmode=plugin), or rebuild the shim to match it (make shim)",
		shimGoVersion(), sdkVersion, withOrWithout(trim))
}

func shimGoVersion() string {
	if host, ok := debug.ReadBuildInfo(); ok {
		return host.GoVersion
	}
	return "the shim's Go version"
}

func setting(info *debug.BuildInfo, key string) string {
	for _, s := range info.Settings {
		if s.Key == key {
			return s.Value
		}
	}
	return ""
}

func withOrWithout(b bool) string {
	if b {
		return "with"
	}
	return "without"
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

func lookupName(p *plugin.Plugin, path string) (string, error) {
	sym, err := p.Lookup("GetPluginName")
	if err != nil {
		return "", &WireError{Message: fmt.Sprintf("cannot get plugin name from '%s': it does not export GetPluginName() string", path)}
	}
	fn, ok := sym.(func() string)
	if !ok {
		return "", &WireError{Message: fmt.Sprintf("invalid GetPluginName() symbol signature in '%s' (want func() string, but got %T)", path, sym)}
	}
	var name string
	if err := guard("GetPluginName", func() error { name = fn(); return nil }); err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		return "", &WireError{Message: fmt.Sprintf("plugin name should not be empty (GetPluginName() in '%s')", path)}
	}
	return name, nil
}

func lookupActions(p *plugin.Plugin, path string) (sdk.Actions, error) {
	sym, err := p.Lookup("GetPluginActions")
	if err != nil {
		return nil, &WireError{Message: fmt.Sprintf("cannot get plugin actions from '%s': it does not export GetPluginActions() sdk.Actions", path)}
	}
	fn, ok := sym.(func() sdk.Actions)
	if !ok {
		return nil, &WireError{Message: fmt.Sprintf("invalid GetPluginActions() symbol signature in '%s' (want func() sdk.Actions, but got %T)", path, sym)}
	}
	var actions sdk.Actions
	if err := guard("GetPluginActions", func() error { actions = fn(); return nil }); err != nil {
		return nil, err
	}
	seen := map[string]string{}
	for name, f := range actions {
		trimmed := strings.TrimSpace(name)
		if other, dup := seen[trimmed]; dup {
			return nil, &WireError{Message: fmt.Sprintf("plugin '%s' declares action '%s' twice ('%s' and '%s')", path, trimmed, other, name)}
		}
		seen[trimmed] = name
		if trimmed == "" {
			return nil, &WireError{Message: fmt.Sprintf("plugin '%s' has an action with an empty name", path)}
		}
		if f == nil {
			return nil, &WireError{Message: fmt.Sprintf("plugin '%s': action '%s' has no factory (nil)", path, name)}
		}
	}
	return actions, nil
}

func actionNames(a sdk.Actions) []string {
	names := make([]string, 0, len(a))
	for n := range a {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
