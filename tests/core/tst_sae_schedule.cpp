// SaeSchedule: the learning rate and the sparsity coefficient follow SAELens's schedules step by step (linear
// warm-up from lr/W, constant or cosine main phase to lr_end, linear decay to 0), the trainer applies them, and
// impossible schedules are refused with one line.
#include "common/InputError.h"
#include "experiments/SaeExperimentConfig.h"
#include "sae/SaeSchedule.h"
#include "sae/SaeTrainer.h"
#include "sae/SyntheticActivationSource.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace featurescope;

namespace {

SaeTrainingConfig schedule(int steps, int warm, int decay, SaeLrSchedule main, double lrEnd = -1.0)
{
    SaeTrainingConfig t;
    t.steps = steps;
    t.learningRate = 1e-3;
    t.lrWarmupSteps = warm;
    t.lrDecaySteps = decay;
    t.lrSchedule = main;
    t.lrEnd = lrEnd;
    return t;
}

bool near(double a, double b) { return std::abs(a - b) <= 1e-12 + 1e-9 * std::abs(b); }

} // namespace

class TestSaeSchedule : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void constantIsFlat()
    {
        const SaeTrainingConfig t = schedule(100, 0, 0, SaeLrSchedule::Constant);
        for (int step : {0, 1, 50, 99})
            QVERIFY(near(SaeSchedule::learningRate(t, step), 1e-3));
    }

    void warmupCosineDecay()
    {
        // 10 warm-up steps, 70 cosine steps from 1e-3 to lr_end = 1e-4 (the lr / 10 default), 20 decay steps to 0.
        const SaeTrainingConfig t = schedule(100, 10, 20, SaeLrSchedule::Cosine);
        QVERIFY(near(SaeSchedule::endLearningRate(t), 1e-4));
        QVERIFY(near(SaeSchedule::learningRate(t, 0), 1e-3 / 10));             // start factor 1/W
        QVERIFY(near(SaeSchedule::learningRate(t, 9), 1e-3));                  // full lr at step W - 1
        QVERIFY(near(SaeSchedule::learningRate(t, 4), 1e-3 * (0.1 + 0.9 * 4 / 9.0)));
        QVERIFY(near(SaeSchedule::learningRate(t, 10), 1e-3));                 // cosine starts at lr
        QVERIFY(near(SaeSchedule::learningRate(t, 45), 1e-4 + 0.9e-3 * 0.5));  // half way: the mean of lr and lr_end
        QVERIFY(near(SaeSchedule::learningRate(t, 10 + 70 / 4),
                     1e-4 + 0.9e-3 * 0.5 * (1.0 + std::cos(3.14159265358979323846 * 17 / 70.0))));
        QVERIFY(near(SaeSchedule::learningRate(t, 80), 1e-4));                 // the decay starts from lr_end
        QVERIFY(near(SaeSchedule::learningRate(t, 90), 1e-4 * 0.5));
        QVERIFY(near(SaeSchedule::learningRate(t, 99), 1e-4 * (1.0 - 19 / 20.0)));
        for (int step = 1; step < 100; ++step) // monotone after the warm-up
            if (step >= 10)
                QVERIFY(SaeSchedule::learningRate(t, step) <= SaeSchedule::learningRate(t, step - 1) + 1e-15);
    }

    void constantDecayStartsFromLr()
    {
        const SaeTrainingConfig t = schedule(50, 0, 10, SaeLrSchedule::Constant, 1e-5);
        QVERIFY(near(SaeSchedule::learningRate(t, 39), 1e-3));
        QVERIFY(near(SaeSchedule::learningRate(t, 40), 1e-3)); // lr_end is ignored by the constant phase
        QVERIFY(near(SaeSchedule::learningRate(t, 45), 0.5e-3));
    }

    void penaltyWarmup()
    {
        SaeConfig tm;
        SaeConfig a2024;
        a2024.variant = SaeVariant::Anthropic2024;
        SaeTrainingConfig t = schedule(200, 0, 0, SaeLrSchedule::Constant);
        // Default: only the 2024 recipe warms λ up, over 5 % of the steps (10 here).
        QVERIFY(near(SaeSchedule::penaltyFactor(tm, t, 0), 1.0));
        QVERIFY(near(SaeSchedule::penaltyFactor(a2024, t, 0), 0.1));
        QVERIFY(near(SaeSchedule::penaltyFactor(a2024, t, 9), 1.0));
        // An explicit warm-up applies to any recipe and overrides the 2024 default.
        t.l1WarmupSteps = 40;
        QVERIFY(near(SaeSchedule::penaltyFactor(tm, t, 0), 1.0 / 40));
        QVERIFY(near(SaeSchedule::penaltyFactor(a2024, t, 19), 0.5));
        QVERIFY(near(SaeSchedule::penaltyFactor(tm, t, 100), 1.0));
        t.l1WarmupSteps = 0;
        QVERIFY(near(SaeSchedule::penaltyFactor(a2024, t, 0), 1.0));
    }

    void trainerFollowsTheSchedule()
    {
        SyntheticActivationSource::Settings settings;
        settings.features = 32;
        settings.dimension = 16;
        SyntheticActivationSource source(settings);
        SaeConfig sae;
        sae.inputDim = 16;
        sae.latentDim = 64;
        SaeTrainingConfig t = schedule(40, 8, 8, SaeLrSchedule::Cosine);
        t.batch = 64;
        t.l1WarmupSteps = 20;
        SaeTrainer trainer(sae, t, source);
        for (int step = 0; step < 40; step += 5) {
            QVERIFY(near(trainer.currentLearningRate(), SaeSchedule::learningRate(t, step)));
            QVERIFY(near(trainer.currentL1(), sae.l1 * SaeSchedule::penaltyFactor(sae, t, step)));
            trainer.run(nullptr, 5);
        }
        QCOMPARE(trainer.stepsDone(), 40);
    }

    void sessionsKeepTheSchedule()
    {
        SaeExperimentConfig c = SaeExperimentConfig::withDefaults(SaeExperimentConfig::Source::Synthetic);
        c.training.steps = 300;
        c.training.lrSchedule = SaeLrSchedule::Cosine;
        c.training.lrWarmupSteps = 30;
        c.training.lrDecaySteps = 60;
        c.training.lrEnd = 2e-4;
        c.training.l1WarmupSteps = 45;
        nlohmann::json j = c;
        const SaeExperimentConfig back = SaeExperimentConfig::fromJson(j);
        QVERIFY(back.training.lrSchedule == SaeLrSchedule::Cosine);
        QCOMPARE(back.training.lrWarmupSteps, 30);
        QCOMPARE(back.training.lrDecaySteps, 60);
        QCOMPARE(back.training.lrEnd, 2e-4);
        QCOMPARE(back.training.l1WarmupSteps, 45);
        // A session from before the schedules: constant, no warm-up.
        j["training"].erase("lr_schedule");
        QVERIFY(SaeExperimentConfig::fromJson(j).training.lrSchedule == SaeLrSchedule::Constant);
        // A hostile one: warm-up and decay longer than the training.
        nlohmann::json bad = c;
        bad["training"]["lr_decay_steps"] = 290;
        QVERIFY_THROWS_EXCEPTION(InputError, SaeExperimentConfig::fromJson(bad));
        bad = c;
        bad["training"]["lr_schedule"] = "sawtooth";
        QVERIFY_THROWS_EXCEPTION(InputError, SaeExperimentConfig::fromJson(bad));
    }

    void refusesImpossibleSchedules()
    {
        SaeConfig sae;
        QVERIFY_THROWS_EXCEPTION(InputError, schedule(10, 6, 6, SaeLrSchedule::Constant).validate(sae));
        QVERIFY_THROWS_EXCEPTION(InputError, schedule(10, -1, 0, SaeLrSchedule::Constant).validate(sae));
        QVERIFY_THROWS_EXCEPTION(InputError, schedule(10, 0, 5, SaeLrSchedule::Cosine, 0.0).validate(sae));
        QVERIFY_THROWS_EXCEPTION(InputError, schedule(10, 0, 0, SaeLrSchedule::Constant, 1.0).validate(sae));
        SaeTrainingConfig t = schedule(10, 0, 0, SaeLrSchedule::Constant);
        t.l1WarmupSteps = 11;
        QVERIFY_THROWS_EXCEPTION(InputError, t.validate(sae));
        QVERIFY_THROWS_EXCEPTION(InputError, saeLrScheduleFromName("linear"));
        schedule(10, 5, 5, SaeLrSchedule::Cosine).validate(sae); // exactly the steps: fine
    }
};

QTEST_APPLESS_MAIN(TestSaeSchedule)
#include "tst_sae_schedule.moc"
