// Package docscheck holds the tests of the documentation: every Go block of
// the README and of docs/ compiles, against this checkout, as the code a
// reader would paste, and the README keeps within its budget.
package docscheck

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// goBlock matches a fenced Go block of Markdown.
var goBlock = regexp.MustCompile("(?ms)^```go\n(.*?)^```")

// face is the context a block is pasted into: the imports and the names a
// reader's program already has (an Echo, a mux, handlers).
type face struct {
	name     string
	echo     string // the Echo import path, "" for net/http
	preamble string
}

var (
	echoV4 = face{"echo v4", "github.com/labstack/echo/v4",
		"e := echo.New()\n\tvar public, private, scoped, admin, orders echo.HandlerFunc\n"}
	echoV5 = face{"echo v5", "github.com/labstack/echo/v5",
		"e := echo.New()\n\tvar public, private, scoped, admin, orders echo.HandlerFunc\n"}
	netHTTP = face{"net/http", "",
		"mux := http.NewServeMux()\n\tvar public, private, scoped, admin, orders http.Handler\n"}
)

// faceOf tells which face a block is written for.
func faceOf(block string) face {
	switch {
	case strings.Contains(block, "echo5auth."):
		return echoV5
	case strings.Contains(block, "httpauth."):
		return netHTTP
	}
	return echoV4
}

// program wraps a block into a main package that uses every name it might.
func program(f face, block string) string {
	var b strings.Builder
	b.WriteString("package main\n\nimport (\n\t\"context\"\n\t\"errors\"\n\t\"fmt\"\n\t\"log\"\n\t\"net/http\"\n\t\"os\"\n\n")
	if f.echo != "" {
		fmt.Fprintf(&b, "\t%q\n", f.echo)
	}
	for _, p := range []string{"bearer", "clerk", "echoauth", "echo5auth", "httpauth", "introspect", "jwks", "scopes", "token"} {
		fmt.Fprintf(&b, "\t%q\n", "github.com/scopegate/scopegate/"+p)
	}
	b.WriteString(")\n\nvar (\n\t_ = context.Background\n\t_ = errors.Is\n\t_ = fmt.Sprint\n\t_ = log.Fatal\n\t_ = http.StatusOK\n\t_ = os.Getenv\n")
	b.WriteString("\t_ = bearer.New\n\t_ = clerk.Role\n\t_ = echoauth.New\n\t_ = echo5auth.New\n\t_ = httpauth.New\n\t_ = introspect.New\n\t_ = jwks.ParsePEM\n\t_ = scopes.All\n\t_ = token.New\n")
	if f.echo != "" {
		b.WriteString("\t_ = echo.New\n")
	}
	b.WriteString(")\n\nfunc main() {\n\t")
	b.WriteString(f.preamble)
	b.WriteString("\tvar pemBytes []byte\n")
	if f.echo != "" {
		b.WriteString("\t_ = e\n")
	} else {
		b.WriteString("\t_ = mux\n")
	}
	b.WriteString("\t_, _, _, _, _, _ = public, private, scoped, admin, orders, pemBytes\n\n")
	for _, line := range strings.Split(strings.TrimRight(block, "\n"), "\n") {
		b.WriteString("\t" + line + "\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// TestDocsGoBlocksCompile builds every Go block of README.md and docs/*.md,
// each as the body of a program of the face it is written for. A block that
// names a method that does not exist, or declares a variable it never uses,
// fails here rather than in a reader's editor.
func TestDocsGoBlocksCompile(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	docs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	require.NoError(t, err)
	docs = append([]string{filepath.Join(root, "README.md")}, docs...)

	// The programs live inside the module, so that its go.mod resolves
	// them, in a directory removed afterwards.
	dir, err := os.MkdirTemp(filepath.Join(root, "internal", "docscheck"), "blocks-")
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	var names []string
	where := map[string]string{}
	for _, doc := range docs {
		text, err := os.ReadFile(doc)
		require.NoError(t, err)
		for i, m := range goBlock.FindAllStringSubmatch(string(text), -1) {
			name := fmt.Sprintf("b%02d_%s_%d", len(names), strings.TrimSuffix(filepath.Base(doc), ".md"), i)
			pkg := filepath.Join(dir, name)
			require.NoError(t, os.Mkdir(pkg, 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(pkg, "main.go"), []byte(program(faceOf(m[1]), m[1])), 0o644))
			names = append(names, "./"+filepath.Base(dir)+"/"+name)
			rel, _ := filepath.Rel(root, doc)
			where[name] = fmt.Sprintf("%s, Go block %d", rel, i+1)
		}
	}
	require.NotEmpty(t, names, "no Go block found")
	cmd := exec.Command("go", append([]string{"vet"}, names...)...)
	cmd.Dir = filepath.Join(root, "internal", "docscheck")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		report := out.String()
		for name, doc := range where {
			report = strings.ReplaceAll(report, name+"/main.go", doc+" (as "+name+"/main.go)")
		}
		t.Fatalf("Go blocks of the documentation do not build:\n%s", report)
	}
	t.Logf("%d Go blocks build", len(names))
}

// readmeLimit is the README's budget: it is the front door, and details
// belong in godoc and docs/. 10 KB read as 10,000 bytes, the stricter
// reading.
const readmeLimit = 10_000

func TestReadmeStaysShort(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	require.NoError(t, err)
	require.LessOrEqual(t, len(readme), readmeLimit, "README.md has %d bytes; move details to docs/", len(readme))
}
