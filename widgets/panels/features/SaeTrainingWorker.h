#pragma once

#include "FeatureSnapshot.h"

#include "common/BackgroundJob.h"
#include "experiments/ControlComparison.h"
#include "experiments/SaeExperimentConfig.h"
#include "experiments/SaeSourceFactory.h"

#include <QObject>

#include <memory>

// Runs the panel's SAE experiments (core's SaeExperiment and SaeControlExperiment, the same code as `featurescope
// sae`) as one background job, and turns what they produce into FeatureSnapshots for the views:
// - train(): while the SAE trains, a live snapshot (copied SAE evaluated on a small live set) at most every ~80 ms,
//   less often when evaluating takes long; at the end, or when stopped, the final snapshot on the full evaluation set.
// - runControl(): the randomized-weights control (trained MLP vs shuffled copy, same SAE settings on both).
// - evaluate(): an SAE restored from a session or opened from a SAELens folder, evaluated as a trained one is.
// The trained MLP and toy model are kept between jobs with the same settings (SaeSourceFactory).
class SaeTrainingWorker : public QObject {
    Q_OBJECT
public:
    using Snapshot = std::shared_ptr<const FeatureSnapshot>;
    using Control = std::shared_ptr<const featurescope::ControlComparison>;

    explicit SaeTrainingWorker(QObject* parent = nullptr);
    ~SaeTrainingWorker() override;

    // All validate on the caller's thread (throwing featurescope::InputError) and stop any running job first.
    void train(const featurescope::SaeExperimentConfig& config);
    void runControl(const featurescope::SaeExperimentConfig& config);
    struct Restored {
        std::shared_ptr<const featurescope::SparseAutoencoder> sae;
        std::vector<float> lossHistory, mseHistory;
        int step = 0;
        int totalSteps = 0;
        double stepsPerSecond = 0.0;
        QString statusMessage;
        QString origin;
        featurescope::SaeTrainingActivity activity; // the training window the health metrics were counted over
    };
    void evaluate(const featurescope::SaeExperimentConfig& config, Restored restored);
    void stop() { m_job.cancel(); }
    void waitForFinished() { m_job.waitForFinished(); }
    bool isRunning() const { return m_job.isRunning(); }
    int runId() const { return m_runId; } // the run id stamped on the current run's snapshots

Q_SIGNALS:
    void updated(const SaeTrainingWorker::Snapshot& snapshot);
    void controlReady(const SaeTrainingWorker::Control& control);
    void progress(double fraction, const QString& message);
    // The job ended: `ok` is false for errors (message says what went wrong).
    void finished(const QString& message, bool ok);

private:
    void onJobFinished(BackgroundJob::Outcome outcome, const QString& error);
    void publish(std::shared_ptr<FeatureSnapshot> snapshot);

    BackgroundJob m_job;
    featurescope::SaeSourceFactory m_sources; // touched only by the job's thread; jobs never overlap
    QString m_doneMessage;                    // set by the job's thread, read after it finished
    QString m_cancelledMessage;
    int m_runId = 0;
};

Q_DECLARE_METATYPE(SaeTrainingWorker::Snapshot)
Q_DECLARE_METATYPE(SaeTrainingWorker::Control)
