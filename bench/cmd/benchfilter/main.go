// Command benchfilter drops the benchmark samples that ran while the machine
// was loaded by other work, judged by the RSA floor measured right before
// each sample (the floor-ns metric): a sample whose floor is more than
// -tolerance above the median floor of the whole file is dropped. It reads
// `go test -bench` output on standard input and writes the kept lines, then
// a summary of what was dropped as comment lines (which benchstat ignores).
//
//	go run ./cmd/benchfilter -tolerance 0.15 < results/bench.txt > results/bench-quiet.txt
package main

import (
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"sort"
	"strconv"
	"strings"
)

func main() {
	tolerance := flag.Float64("tolerance", 0.15, "drop samples whose floor-ns exceeds the file's median floor by more than this fraction")
	flag.Parse()
	var lines []string
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}
	var floors []float64
	for _, l := range lines {
		if f, ok := floorOf(l); ok {
			floors = append(floors, f)
		}
	}
	if len(floors) == 0 {
		log.Fatal("benchfilter: no floor-ns metric in the input")
	}
	sort.Float64s(floors)
	best := floors[len(floors)/2]
	limit := best * (1 + *tolerance)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	dropped := map[string]int{}
	kept := map[string]int{}
	for _, l := range lines {
		if f, ok := floorOf(l); ok {
			name := strings.Fields(l)[0]
			if f > limit {
				dropped[name]++
				continue
			}
			kept[name]++
		}
		fmt.Fprintln(out, l)
	}
	fmt.Fprintf(out, "# benchfilter: median floor %.0f ns, limit %.0f ns (+%.0f%%)\n", best, limit, *tolerance*100)
	names := make([]string, 0, len(dropped))
	for n := range dropped {
		names = append(names, n)
	}
	sort.Strings(names)
	total := 0
	for _, n := range names {
		total += dropped[n]
		fmt.Fprintf(out, "# benchfilter: dropped %d of %d samples of %s\n", dropped[n], dropped[n]+kept[n], n)
	}
	fmt.Fprintf(out, "# benchfilter: dropped %d samples in all\n", total)
}

// floorOf returns the floor-ns value of a benchmark result line.
func floorOf(line string) (float64, bool) {
	if !strings.HasPrefix(line, "Benchmark") {
		return 0, false
	}
	f := strings.Fields(line)
	for i := 3; i < len(f); i++ {
		if f[i] == "floor-ns" {
			v, err := strconv.ParseFloat(f[i-1], 64)
			return v, err == nil
		}
	}
	return 0, false
}
