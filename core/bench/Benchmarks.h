#pragma once

#include "toy/ToyModelConfig.h"
#include "toy/TrainingConfig.h"

#include <cstdint>
#include <string>

namespace featurescope {

// Throughput of one benchmark configuration (docs/ARCHITECTURE.md §7).
struct BenchmarkResult {
    std::string name;
    double stepsPerSecond = 0.0;
    double flopsPerSecond = 0.0; // dense-equivalent FLOP/s where it applies, else 0
    double seconds = 0.0;
    int steps = 0;
    double finalLoss = 0.0;
};

// A large activation import (docs/ARCHITECTURE.md §7, issue 8): open time of a memory-mapped .npy and the speed of one
// streaming pass of per-feature statistics over it, beside this machine's plain memory read bandwidth.
struct LargeImportResult {
    double fileBytes = 0.0;
    double writeSeconds = 0.0;              // creating the test file (not part of the measurement)
    double openSeconds = 0.0;               // NpyFile::read: header checks + mmap
    double statisticsSeconds = 0.0;         // ColumnStatistics::compute, first pass over the fresh mapping
    double statisticsBytesPerSecond = 0.0;
    // A second pass over the same mapping: the pages are mapped, so this is the statistics code's own speed (the
    // first pass also pays for mapping every page, which costs more on a virtual machine).
    double warmStatisticsBytesPerSecond = 0.0;
    double memoryReadBytesPerSecond = 0.0;  // summing an in-memory buffer, best of three
};

// Timed runs of core's hot paths, shared by `featurescope bench` and nothing else (benchmarks are not tests).
class Benchmarks {
public:
    // The PyTorch reference's set-up (tms_torch.py): importance 0.9^i, p = 20^-t over the instances, Adam 1e-3.
    static ToyModelConfig referenceToyConfig(int n, int m, int instances);
    // Trains for `steps` steps (after a short warm-up) and reports steps/s and dense-equivalent FLOP/s.
    static BenchmarkResult toyTraining(const std::string& name, const ToyModelConfig& model, int steps, int batch,
                                       int threads);
    // The SAE reference of sae_torch.py: synthetic data (d, F true features), d_sae latents, TM recipe, L1 3e-3;
    // timed from initialisation like the reference, so early dense steps count too.
    static BenchmarkResult saeTraining(int d, int features, int latents, int batch, int steps, int threads = 1);
    // An SAE of a language model's size (d_in 512, 2048 true features, d_sae 4096, batch 4096) on synthetic data: TopK
    // with k = 32, or the L1 recipe (λ 1e-4) timed after `warmup` untimed steps, once its codes have become sparse.
    // l0 is the mean active codes per input over the timed steps.
    static BenchmarkResult saeLmTraining(bool topK, int warmup, int steps, double& l0);
    // Eigen's single-precision GEMM on (rows x inner) * (inner x cols), repeated for about `seconds`.
    // One product shape timed for `seconds`: Eigen's own product (name "sgemm") or our packed kernel
    // (name "sgemm-packed", see math/Sgemm), so a report shows what each reaches on this machine.
    static BenchmarkResult sgemm(int rows, int inner, int cols, double seconds, bool packed = false);
    // Writes a [rows, 512] f32 .npy of about `bytes` into `directory`, times its open and a statistics pass, then
    // deletes it. Throws InputError when the file cannot be written.
    static LargeImportResult largeNpyImport(const std::string& directory, std::uint64_t bytes);
    // Peak resident memory of this process in bytes (VmHWM), 0 when unknown.
    static double peakMemoryBytes();
};

} // namespace featurescope
