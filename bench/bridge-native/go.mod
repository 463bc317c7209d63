module github.com/gilbert-ts/bench/bridge-native

go 1.26

require github.com/go-gilbert/gilbert-sdk v0.9.0

require github.com/mitchellh/mapstructure v1.1.2 // indirect
