/**
 * Preloaded into a profiled process (`node --import tsx --import bench/profile/cpu-window.ts …`): the first
 * SIGUSR2 starts the V8 CPU profiler, the second stops it and writes the profile to NOETL_BENCH_CPU_PROFILE.
 * Unlike --cpu-prof, the profile covers only the measured window, not start-up and module compilation.
 */
import { renameSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";

const file = process.env.NOETL_BENCH_CPU_PROFILE;
if (file !== undefined) {
  const session = new Session();
  session.connect();
  let profiling = false;
  process.on("SIGUSR2", () => {
    void (async () => {
      if (!profiling) {
        profiling = true;
        await session.post("Profiler.enable");
        // 250 µs: four times the default resolution, small enough for sub-millisecond steps.
        await session.post("Profiler.setSamplingInterval", { interval: 250 });
        await session.post("Profiler.start");
        process.stderr.write("cpu profile started\n");
      } else {
        profiling = false;
        const { profile } = await session.post("Profiler.stop");
        writeFileSync(`${file}.tmp`, JSON.stringify(profile));
        renameSync(`${file}.tmp`, file);
        process.stderr.write("cpu profile written\n");
      }
    })();
  });
}
