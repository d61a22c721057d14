#pragma once

#include "common/ProgressReporter.h"
#include "common/TaskPool.h"
#include "toy/ToyTrainingResult.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

namespace featurescope {

class AdamOptimizer;
class SparseFeatureSampler;
class ToyLossKernel;

// Trains all instances of a toy model with Adam/AdamW on fresh batches. Resumable: run() may be called repeatedly
// with a step limit, which is how the GUI trains live (a chunk, a redraw, the next chunk) and pauses.
// Deterministic: every instance owns its random stream, so results do not depend on the thread count.
class ToyTrainer {
public:
    ToyTrainer(const ToyModelConfig& model, const TrainingConfig& training); // throws InputError
    ~ToyTrainer();
    ToyTrainer(const ToyTrainer&) = delete;
    ToyTrainer& operator=(const ToyTrainer&) = delete;

    // Trains until all steps are done, `stepLimit` more steps have run (if >= 0), the progress object is cancelled,
    // or a loss becomes non-finite (then the last good parameters are kept and status() is Diverged).
    TrainingStatus run(ProgressReporter* progress = nullptr, int stepLimit = -1);

    int stepsDone() const { return m_stepsDone; }
    TrainingStatus status() const { return m_status; }
    const ToyModel& model() const { return m_model; }
    const std::vector<std::vector<float>>& lossHistory() const { return m_lossHistory; }
    std::vector<double> recentLoss(int window = 100) const;
    // A copy of the current state (model, history, snapshots) as a result.
    ToyTrainingResult result() const;

    // Best of k restarts: trains `training.restarts` independent runs and keeps, per instance, the one with the
    // lowest final loss. With one restart this is the same as a single run.
    static ToyTrainingResult train(const ToyModelConfig& model, const TrainingConfig& training,
                                   ProgressReporter* progress = nullptr);

private:
    struct InstanceState;
    void runInstances(int begin, int end, int targetStep, ProgressReporter* progress, bool reports);
    bool stepInstance(int instance, int step);

    ToyModel m_model;
    TrainingConfig m_training;
    std::vector<std::unique_ptr<InstanceState>> m_states;
    std::vector<std::vector<float>> m_lossHistory;
    std::vector<ToySnapshot> m_snapshots;
    std::vector<int> m_snapshotSteps;
    int m_stepsDone = 0;
    TrainingStatus m_status = TrainingStatus::Running;
    std::string m_message;
    std::atomic<bool> m_diverged{false};
    // Instances train in parallel on these threads. Made by the first run(), on the thread that trains, so its helpers
    // inherit that thread's (lowered) priority in the GUI.
    std::unique_ptr<TaskPool> m_pool;
    std::mutex m_messageMutex;
};

} // namespace featurescope
