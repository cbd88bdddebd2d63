//go:build !unix

package main

import "errors"

func setNoFile(uint64) error { return errors.New("-nofile is for Unix only") }
