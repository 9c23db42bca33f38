// Service units (checked by systemd-analyze verify), the .deb (installed and removed with dpkg) and the Homebrew formula.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildHostBinary, cleanEnv, REPO, run, TEST_VERSION, tempDir } from "./cli-helpers.ts";

// systemd-analyze comes from Debian's systemd package, which .ci/run installs; tests never fetch anything.
const systemdAnalyze = Bun.which("systemd-analyze") ?? undefined;
if (!systemdAnalyze) {
  console.warn(
    "SKIP systemd-analyze verify: systemd-analyze is missing (apt-get install systemd; .ci/run does)",
  );
}
const hasDpkg = process.platform === "linux" && process.getuid?.() === 0 && Boolean(Bun.which("dpkg-deb"));
// A real installation on the machine is never replaced by the test's package.
const alreadyInstalled =
  hasDpkg && Bun.spawnSync(["dpkg", "-s", "aisbf"], { stderr: "ignore" }).exitCode === 0;
const canDpkg = hasDpkg && !alreadyInstalled;
if (!hasDpkg) console.warn("SKIP .deb install test: needs root and dpkg (a Debian CI machine)");
if (alreadyInstalled) console.warn("SKIP .deb install test: the aisbf package is installed on this machine");

let work: string;
let bin: string;

beforeAll(() => {
  work = tempDir("aisbf-pkg-");
  bin = buildHostBinary(work);
}, 60_000);

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** systemd-analyze verify exits 0 even on unknown keys or bad values; its complaints about the file count. */
function verifyUnit(path: string): string[] {
  const result = Bun.spawnSync([systemdAnalyze as string, "verify", path]);
  const complaints = result.stderr
    .toString()
    .split("\n")
    .filter((line) => line.includes(path) || line.includes("aisbf"));
  if (result.exitCode !== 0) complaints.push(`exit ${result.exitCode}: ${result.stderr.toString()}`);
  return complaints;
}

describe("install-service", () => {
  test("--user writes a user unit and prints the systemctl commands", () => {
    const home = join(work, "user-home");
    mkdirSync(home);
    const result = run(bin, ["install-service", "--user"], cleanEnv(home, { USER: "tester" }));
    expect(result.code).toBe(0);
    const path = join(home, ".config", "systemd", "user", "aisbf.service");
    expect(result.stdout).toContain(`wrote ${path}`);
    expect(result.stdout).toContain("systemctl --user enable --now aisbf.service");
    expect(result.stdout).toContain("loginctl enable-linger tester");
    const unit = readFileSync(path, "utf8");
    expect(unit).toContain(`ExecStart=${bin} serve --config-dir ${join(home, ".aisbf")}`);
    expect(unit).toContain(`EnvironmentFile=-${join(home, ".aisbf", "aisbf.env")}`);
    expect(unit).toContain("Restart=on-failure");
    expect(unit).toContain("NoNewPrivileges=yes");
    expect(unit).toContain("WantedBy=default.target");
    // Same content again is fine; a different one needs --force.
    expect(run(bin, ["install-service", "--user"], cleanEnv(home)).code).toBe(0);
    expect(run(bin, ["install-service", "--user", "--port", "9999"], cleanEnv(home)).code).toBe(1);
    expect(run(bin, ["install-service", "--user", "--port", "9999", "--force"], cleanEnv(home)).code).toBe(0);
    expect(readFileSync(path, "utf8")).toContain("--port 9999");
  });

  test("--system --print: a dedicated user and sandboxing; nothing written", () => {
    const home = join(work, "system-home");
    mkdirSync(home);
    const result = run(bin, ["install-service", "--system", "--print"], cleanEnv(home));
    expect(result.code).toBe(0);
    for (const line of [
      `ExecStart=${bin} serve --config-dir /var/lib/aisbf`,
      "User=aisbf",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "ReadWritePaths=/var/lib/aisbf",
      "StateDirectory=aisbf",
      "Restart=on-failure",
      "WantedBy=multi-user.target",
    ])
      expect(result.stdout).toContain(`${line}\n`);
    expect(result.stdout).not.toContain("MemoryDenyWriteExecute");
    expect(existsSync(join(home, ".config"))).toBe(false);
  });

  test.skipIf(!systemdAnalyze)("both units pass systemd-analyze verify", () => {
    const home = join(work, "verify-home");
    mkdirSync(home);
    for (const scope of ["user", "system"]) {
      const printed = run(bin, ["install-service", `--${scope}`, "--print"], cleanEnv(home));
      expect(printed.code).toBe(0);
      const path = join(work, `verify-${scope}`, "aisbf.service");
      mkdirSync(join(work, `verify-${scope}`));
      writeFileSync(path, printed.stdout);
      expect(verifyUnit(path)).toEqual([]);
    }
    // The check would see a mistake.
    const broken = join(work, "verify-broken", "aisbf.service");
    mkdirSync(join(work, "verify-broken"));
    writeFileSync(
      broken,
      readFileSync(join(work, "verify-system", "aisbf.service"), "utf8").replace(
        "ProtectHome=yes",
        "ProtectHome=perhaps",
      ),
    );
    expect(verifyUnit(broken)).not.toEqual([]);
  });

  test("--kind launchd --print: a plist that runs serve and keeps it alive", () => {
    const home = join(work, "mac-home");
    mkdirSync(home);
    const result = run(bin, ["install-service", "--kind", "launchd", "--print"], cleanEnv(home));
    expect(result.code).toBe(0);
    expect(result.stdout).toStartWith('<?xml version="1.0" encoding="UTF-8"?>');
    expect(result.stdout).toContain(`<string>${bin}</string>\n    <string>serve</string>`);
    expect(result.stdout).toContain("<key>KeepAlive</key>");
    expect(result.stdout).toContain(`<string>${join(home, ".aisbf", "aisbf.log")}</string>`);
    expect(result.stdout.trimEnd()).toEndWith("</plist>");
  });
});

describe("packages", () => {
  test.skipIf(!canDpkg)(
    ".deb installs with dpkg -i, runs --version and config check, and dpkg -r removes it",
    () => {
      const sh = (command: string[], env: Record<string, string> = {}) => {
        const result = Bun.spawnSync(command, { cwd: REPO, env: { ...process.env, ...env } });
        return { code: result.exitCode, out: result.stdout.toString() + result.stderr.toString() };
      };
      const arch = process.arch === "arm64" ? "arm64" : "amd64";
      // zstd: a few times faster than the release default (xz) on a 100 MB binary.
      const built = sh(
        [
          "bash",
          "scripts/package-deb",
          "--binary",
          bin,
          "--arch",
          arch,
          "--outdir",
          work,
          "--compress",
          "zstd",
        ],
        { AISBF_VERSION: TEST_VERSION },
      );
      expect(built.code).toBe(0);
      const deb = join(work, `aisbf_${TEST_VERSION}_${arch}.deb`);
      expect(existsSync(deb)).toBe(true);
      try {
        const installed = sh(["dpkg", "-i", deb]);
        expect(installed.out).toContain("systemctl enable --now aisbf.service");
        expect(installed.code).toBe(0);
        expect(sh(["/usr/bin/aisbf", "--version"]).out).toBe(`${TEST_VERSION}\n`);
        const home = join(work, "deb-home");
        mkdirSync(home);
        const check = run("/usr/bin/aisbf", ["config", "check"], cleanEnv(home));
        expect(check.code).toBe(0);
        expect(check.stdout).toContain("config OK");
        expect(readFileSync("/lib/systemd/system/aisbf.service", "utf8")).toContain(
          "ExecStart=/usr/bin/aisbf serve --config-dir /var/lib/aisbf",
        );
        expect(existsSync("/usr/share/aisbf/providers.json")).toBe(true);
        expect(sh(["getent", "passwd", "aisbf"]).out).toContain("/var/lib/aisbf");
        expect(sh(["dpkg", "-r", "aisbf"]).code).toBe(0);
        expect(existsSync("/usr/bin/aisbf")).toBe(false);
        expect(existsSync("/lib/systemd/system/aisbf.service")).toBe(false);
      } finally {
        sh(["dpkg", "--purge", "aisbf"]);
      }
    },
    60_000,
  );

  test("the Homebrew formula takes the four binaries' checksums and has service and test blocks", () => {
    const dist = join(work, "brew-dist");
    mkdirSync(dist);
    const targets = ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"];
    const sums = targets.map((target, index) => `${String(index + 1).repeat(64)}  aisbf-${target}`);
    writeFileSync(join(dist, "SHA256SUMS"), `${sums.join("\n")}\n`);
    const script = join(REPO, "scripts", "homebrew-formula");
    const made = Bun.spawnSync(["bash", script, "--dist", dist, "--url", "https://example.test/v1"], {
      env: { ...process.env, AISBF_VERSION: TEST_VERSION },
    });
    expect(made.exitCode).toBe(0);
    const formula = readFileSync(join(dist, "aisbf.rb"), "utf8");
    expect(formula).toContain("class Aisbf < Formula");
    expect(formula).toContain(`version "${TEST_VERSION}"`);
    targets.forEach((target, index) => {
      expect(formula).toContain(
        `url "https://example.test/v1/aisbf-${target}"\n      sha256 "${String(index + 1).repeat(64)}"`,
      );
    });
    expect(formula).toContain('bin.install Dir["aisbf-*"].first => "aisbf"');
    expect(formula).toContain('service do\n    run [opt_bin/"aisbf", "serve"]');
    expect(formula).toContain("test do");
    if (Bun.which("ruby")) expect(Bun.spawnSync(["ruby", "-c", join(dist, "aisbf.rb")]).exitCode).toBe(0);

    // A missing binary is an error, not a formula with a hole.
    writeFileSync(join(dist, "SHA256SUMS"), `${sums.slice(1).join("\n")}\n`);
    rmSync(join(dist, "aisbf.rb"));
    const incomplete = Bun.spawnSync(["bash", script, "--dist", dist]);
    expect(incomplete.exitCode).toBe(1);
    expect(incomplete.stderr.toString()).toContain("aisbf-darwin-arm64 is not in");
    expect(existsSync(join(dist, "aisbf.rb"))).toBe(false);
  });
});
