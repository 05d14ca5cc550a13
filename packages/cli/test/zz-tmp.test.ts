import { test } from "vitest";
import { main } from "../src/main.js";
test("train", async () => {
  for (const extra of [["--lr", "0.004"], ["--optimizer", "sgd", "--lr", "0.05"]]) {
    const code = await main(["train", "--epochs", "5", "--out", "/tmp/l5b.safetensors", "--plot", "/tmp/l5b.png", "--backend", "cpu", "--json", "-q", ...extra], { out: (s) => { const r = JSON.parse(s); console.log(extra.join(" "), JSON.stringify(r.epochs.map((e: any) => [e.testAccuracy, e.seconds?.toFixed(1)]))); }, err: (s) => console.log("ERR", s) });
  }
}, 1_000_000);
