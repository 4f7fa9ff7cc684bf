#!/usr/bin/env bash
# Module graph pruning: a consumer of one Echo face downloads nothing of the
# other Echo major. Each consumer is a fresh module, built with an empty
# module cache of its own, against this checkout (a replace directive).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

consumer() { # name, face package, echo import, handler signature, other major
  local name=$1 face=$2 echo=$3 ctx=$4 other=$5
  local dir="$work/$name" cache="$work/$name-modcache"
  mkdir -p "$dir"
  cat > "$dir/go.mod" <<MOD
module example.com/$name

go 1.26

require github.com/scopegate/scopegate v0.0.0

replace github.com/scopegate/scopegate => $repo
MOD
  cat > "$dir/main.go" <<GO
package main

import (
	"net/http"

	"$echo"

	"github.com/scopegate/scopegate/$face"
)

func main() {
	auth, err := $face.New($face.Config{Issuer: "https://tenant.example.com/", Audience: []string{"https://api.example.com"}})
	if err != nil {
		panic(err)
	}
	e := echo.New()
	e.GET("/api/private", func(c $ctx) error { return c.NoContent(http.StatusOK) }, auth.CheckJWT())
}
GO
  (cd "$dir" && GOMODCACHE="$cache" GOFLAGS=-modcacherw go mod tidy >/dev/null 2>&1 && GOMODCACHE="$cache" GOFLAGS=-modcacherw go build ./...)
  own=$(basename "$echo")
  if [ ! -e "$cache/cache/download/github.com/labstack/echo/$own" ]; then
    echo "the $face consumer did not download labstack/echo/$own: the check would prove nothing"; exit 1
  fi
  if [ -e "$cache/cache/download/github.com/labstack/echo/$other" ]; then
    echo "a $face consumer downloaded labstack/echo/$other:"; ls -R "$cache/cache/download/github.com/labstack/echo/$other"; exit 1
  fi
  echo "$face consumer: builds, and downloads nothing of labstack/echo/$other"
}

consumer v4user echoauth github.com/labstack/echo/v4 echo.Context v5
consumer v5user echo5auth github.com/labstack/echo/v5 '*echo.Context' v4
