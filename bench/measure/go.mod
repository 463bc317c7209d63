module github.com/gilbert-ts/bench/measure

go 1.21
