// Command procchild is a process for the check-process tests to find: it
// takes on the resources it is told to (memory, open files, threads, CPU,
// a zombie child), prints "ready" and waits to be stopped. The tests run
// copies of it under names of their own.
//
//	procchild [-rss MiB] [-fds N] [-nofile N] [-threads N] [-cpu] [-zombie] [ARG...]
//
// The arguments after the flags only show in its command line.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "-exit" {
		return // the zombie-to-be
	}
	rss := flag.Int("rss", 0, "MiB of memory to touch")
	fds := flag.Int("fds", 0, "extra files to keep open")
	nofile := flag.Uint64("nofile", 0, "soft limit on open files to set")
	threads := flag.Int("threads", 0, "extra threads to park")
	cpu := flag.Bool("cpu", false, "keep one CPU busy")
	zombie := flag.Bool("zombie", false, "start a child that exits and is never reaped")
	flag.Parse()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	if *nofile > 0 {
		if err := setNoFile(*nofile); err != nil {
			fail(err)
		}
	}
	var keep [][]byte
	if *rss > 0 {
		b := make([]byte, *rss<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		keep = append(keep, b)
	}
	var files []*os.File
	for range *fds {
		f, err := os.Open(os.DevNull)
		if err != nil {
			fail(err)
		}
		files = append(files, f)
	}
	park := make(chan struct{})
	started := make(chan struct{})
	for range *threads {
		go func() {
			runtime.LockOSThread()
			started <- struct{}{}
			<-park
		}()
		<-started
	}
	if *cpu {
		go func() {
			for n := 0; ; n++ {
				if n%1_000_000 == 0 {
					select {
					case <-park:
						return
					default:
					}
				}
			}
		}()
	}
	if *zombie {
		self, err := os.Executable()
		if err != nil {
			fail(err)
		}
		child := exec.Command(self, "-exit")
		if err := child.Start(); err != nil {
			fail(err)
		}
		fmt.Println("zombie", child.Process.Pid)
	}
	fmt.Println("ready")
	<-stop
	runtime.KeepAlive(keep)
	runtime.KeepAlive(files)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "procchild:", err)
	os.Exit(1)
}
