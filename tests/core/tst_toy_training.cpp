// The reproduction checks of docs/ARCHITECTURE.md §4 (seeds fixed), plus determinism, snapshots, restarts, cancellation,
// divergence and validation of the toy-model trainer.
#include "common/InputError.h"
#include "geometry/FeatureGeometry.h"
#include "geometry/FeatureMeasures.h"
#include "math/Rng.h"
#include "toy/SparseFeatureSampler.h"
#include "toy/SparsitySweep.h"
#include "toy/ToyTrainer.h"

#include <QtTest>

#include <algorithm>

using namespace featurescope;

class TestToyTraining : public QObject {
    Q_OBJECT
private:
    static ToyModelConfig shared(int n, int m, double p, double decay)
    {
        ToyModelConfig c;
        c.features = n;
        c.hidden = m;
        c.importanceDecay = decay;
        c.featureProbability = ToyModelConfig::sharedProbability(n, 1, p);
        return c;
    }

private Q_SLOTS:
    void sweepSummaryFromAnalysedResult()
    {
        // The panel draws the sticky-fraction plot from the measures analysed on the training thread: they must
        // give exactly what summarising the weights gives.
        ToyModelConfig config;
        config.features = 12;
        config.hidden = 3;
        config.featureProbability = ToyModelConfig::sweepProbabilities(12, 4, 0.05);
        TrainingConfig training;
        training.steps = 300;
        training.batch = 256;
        ToyTrainer trainer(config, training);
        trainer.run(nullptr);
        ToyTrainingResult result = trainer.result();
        result.analyse();
        QVERIFY(result.isAnalysed());
        const auto direct = SparsitySweep::summarise(result.model);
        const auto cached = SparsitySweep::summarise(result.model, result.measures);
        QCOMPARE(cached.size(), direct.size());
        for (std::size_t i = 0; i < direct.size(); ++i) {
            QCOMPARE(cached[i].dimensionsPerFeature, direct[i].dimensionsPerFeature);
            QCOMPARE(cached[i].inverseDensity, direct[i].inverseDensity);
            QVERIFY(cached[i].featureDimensionality == direct[i].featureDimensionality);
        }
        QCOMPARE(int(SparsitySweep::summarise(result.model, std::vector<FeatureMeasures>{}).size()), 0);
    }

    void pentagonAtHighSparsity()
    {
        TrainingConfig t;
        t.restarts = 3; // 2-D models can get stuck; the paper's figure is the best run
        const auto result = ToyTrainer::train(shared(5, 2, 0.03, 1.0), t);
        QCOMPARE(result.status, TrainingStatus::Finished);
        const Eigen::MatrixXf& W = result.model.instance(0).W;
        const auto measures = computeFeatureMeasures(W);
        for (int i = 0; i < 5; ++i) {
            QVERIFY2(measures.norms[i] > 0.97f && measures.norms[i] < 1.25f, "every feature is represented, |W_i| ~ 1");
            QVERIFY(std::abs(measures.dimensionality[i] - 0.4f) < 0.03f);
            QVERIFY2(result.model.instance(0).b[i] < 0.0f, "a negative bias filters interference");
            // Normalised WᵀW row: itself, two neighbours at 72° (+0.31) and two at 144° (-0.81).
            std::vector<float> cosines;
            for (int j = 0; j < 5; ++j)
                if (j != i)
                    cosines.push_back(W.col(i).normalized().dot(W.col(j).normalized()));
            std::sort(cosines.begin(), cosines.end());
            QVERIFY(std::abs(cosines[0] + 0.809f) < 0.05f && std::abs(cosines[1] + 0.809f) < 0.05f);
            QVERIFY(std::abs(cosines[2] - 0.309f) < 0.05f && std::abs(cosines[3] - 0.309f) < 0.05f);
        }
        const auto geometry = findFeatureGeometry(W);
        QCOMPARE(geometry.size(), std::size_t(1));
        QCOMPARE(QString::fromStdString(geometry[0].kind), QStringLiteral("pentagon"));
    }

    void denseImportanceDecayKeepsTopFive()
    {
        TrainingConfig t;
        const auto result = ToyTrainer::train(shared(20, 5, 1.0, 0.7), t);
        const auto& inst = result.model.instance(0);
        const auto measures = computeFeatureMeasures(inst.W);
        for (int i = 0; i < 20; ++i) {
            if (i < 5) {
                QVERIFY2(std::abs(measures.norms[i] - 1.0f) < 0.05f, "the five most important features are kept");
            } else {
                QVERIFY2(measures.norms[i] < 0.05f, "the rest are dropped");
                QVERIFY2(std::abs(inst.b[i] - 0.5f) < 0.05f, "a dropped feature's bias is its mean, 0.5");
            }
        }
    }

    void denseTwoDimensionsOrthogonal()
    {
        TrainingConfig t;
        const auto result = ToyTrainer::train(shared(5, 2, 1.0, 0.9), t);
        const Eigen::MatrixXf& W = result.model.instance(0).W;
        QVERIFY(std::abs(W.col(0).norm() - 1.0f) < 0.05f);
        QVERIFY(std::abs(W.col(1).norm() - 1.0f) < 0.05f);
        QVERIFY(std::abs(W.col(0).normalized().dot(W.col(1).normalized())) < 0.05f);
        for (int i = 2; i < 5; ++i)
            QVERIFY(W.col(i).norm() < 0.05f);
    }

    void antipodalPlateauAtHalf()
    {
        // Uniform importance, moderately sparse: features pair up antipodally, so D* = m / ||W||_F² sticks at ½.
        TrainingConfig t;
        const auto result = ToyTrainer::train(shared(40, 10, 0.3, 1.0), t);
        const auto measures = computeFeatureMeasures(result.model.instance(0).W);
        QVERIFY2(std::abs(measures.dimensionsPerFeature - 0.5) < 0.03,
                 qPrintable(QString::number(measures.dimensionsPerFeature)));
        int digons = 0;
        for (const auto& c : findFeatureGeometry(result.model.instance(0).W))
            digons += c.kind == "digon";
        QVERIFY(digons >= 9);
    }

    void deterministicForASeedWhateverTheThreads()
    {
        ToyModelConfig c = shared(6, 3, 0.1, 0.9);
        c.featureProbability = ToyModelConfig::sweepProbabilities(6, 4, 0.05);
        TrainingConfig t;
        t.steps = 300;
        t.seed = 99;
        t.threads = 1;
        const auto a = ToyTrainer::train(c, t);
        t.threads = 2;
        const auto b = ToyTrainer::train(c, t);
        for (int i = 0; i < 4; ++i) {
            QVERIFY(a.model.instance(i).W == b.model.instance(i).W);
            QVERIFY(a.lossHistory[std::size_t(i)] == b.lossHistory[std::size_t(i)]);
        }
        t.seed = 100;
        const auto other = ToyTrainer::train(c, t);
        QVERIFY(!(other.model.instance(0).W == a.model.instance(0).W));
    }

    void resumableRunsEqualOneRun()
    {
        const ToyModelConfig c = shared(5, 2, 0.1, 1.0);
        TrainingConfig t;
        t.steps = 500;
        ToyTrainer whole(c, t);
        whole.run();
        ToyTrainer pieces(c, t);
        while (pieces.status() == TrainingStatus::Running)
            pieces.run(nullptr, 37);
        QCOMPARE(pieces.stepsDone(), 500);
        QVERIFY(whole.model().instance(0).W == pieces.model().instance(0).W);
        // Snapshots at exact, increasing steps from 0 to the end.
        const auto snaps = pieces.result().snapshots;
        QVERIFY(snaps.size() >= 10);
        QCOMPARE(snaps.front().step, 0);
        QCOMPARE(snaps.back().step, 500);
        for (std::size_t k = 1; k < snaps.size(); ++k)
            QVERIFY(snaps[k].step > snaps[k - 1].step);
        QVERIFY(snaps.back().instances[0].W == pieces.model().instance(0).W);
    }

    void restartsKeepTheBestPerInstance()
    {
        ToyModelConfig c = shared(5, 2, 0.05, 1.0);
        TrainingConfig t;
        t.steps = 400;
        t.restarts = 4;
        const auto best = ToyTrainer::train(c, t);
        QCOMPARE(best.restartChosen.size(), std::size_t(1));
        for (int r = 0; r < 4; ++r) {
            TrainingConfig single = t;
            single.restarts = 1;
            if (r > 0)
                single.seed = Rng::deriveSeed(t.seed, 1000u + unsigned(r));
            ToyTrainer trainer(c, single);
            trainer.run();
            QVERIFY(best.finalLoss[0] <= trainer.recentLoss()[0] + 1e-12);
        }
    }

    void cancellationStopsAndKeepsState()
    {
        TrainingConfig t;
        t.steps = 1000000;
        ProgressReporter progress;
        progress.cancel();
        ToyTrainer trainer(shared(5, 2, 0.1, 1.0), t);
        QCOMPARE(trainer.run(&progress), TrainingStatus::Cancelled);
        QVERIFY(trainer.stepsDone() < 1000000);
        QVERIFY(trainer.model().instance(0).isFinite());
    }

    void divergenceStopsWithMessage()
    {
        TrainingConfig t;
        t.steps = 2000;
        t.learningRate = 1e30; // finite but absurd: weights overflow to inf within a few steps
        ToyModelConfig c = shared(5, 2, 1.0, 1.0);
        c.kind = ToyModelKind::Linear;
        ToyTrainer trainer(c, t);
        QCOMPARE(trainer.run(), TrainingStatus::Diverged);
        QVERIFY(trainer.model().instance(0).isFinite());
        QVERIFY(trainer.result().message.find("non-finite") != std::string::npos);
    }

    // Tiny probabilities give geometric gaps beyond any integer; the sampler must still write only inside its
    // column (this wrote before the buffer under ASan) and find (almost) nothing active.
    void samplerTinyProbabilityStaysInside()
    {
        constexpr int rows = 4096;
        constexpr int features = 8;
        std::vector<float> X(std::size_t(rows) * (features + 2), 7.0f); // guard columns on both sides
        SparseFeatureSampler sampler(123);
        for (double p : {1e-18, 1e-30, 1e-300, 5e-324}) {
            std::fill(X.begin(), X.end(), 7.0f);
            sampler.sample(std::vector<double>(features, p), true, X.data() + rows, rows);
            for (int r = 0; r < rows; ++r) {
                QCOMPARE(X[std::size_t(r)], 7.0f);
                QCOMPARE(X[std::size_t(rows) * (features + 1) + std::size_t(r)], 7.0f);
            }
            const auto active = std::count_if(X.begin() + rows, X.end() - rows, [](float v) { return v != 0.0f; });
            QCOMPARE(active, 0); // P(any active) < 1e-13 for these p
        }
        // The smallest accepted probability trains (and validates) normally.
        ToyModelConfig c = shared(5, 2, ToyModelConfig::kMinFeatureProbability, 1.0);
        c.validate();
        c.featureProbability = ToyModelConfig::sweepProbabilities(5, 3, 1e-18);
        try {
            c.validate();
            QFAIL("a sweep down to 1e-18 was accepted");
        } catch (const InputError& error) {
            QVERIFY2(std::string(error.what()).find("1e-9") != std::string::npos, error.what());
            QVERIFY2(std::string(error.what()).find("1e-18") != std::string::npos, error.what());
        }
    }

    void invalidConfigurations_data()
    {
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("m");
        QTest::addColumn<double>("p");
        QTest::addColumn<double>("lr");
        QTest::addColumn<int>("batch");
        QTest::newRow("n = 0") << 0 << 2 << 0.1 << 1e-3 << 1024;
        QTest::newRow("m = 0") << 5 << 0 << 0.1 << 1e-3 << 1024;
        QTest::newRow("p = 0") << 5 << 2 << 0.0 << 1e-3 << 1024;
        QTest::newRow("p > 1") << 5 << 2 << 1.5 << 1e-3 << 1024;
        QTest::newRow("p = 1e-18") << 5 << 2 << 1e-18 << 1e-3 << 1024;
        QTest::newRow("p just below 1e-9") << 5 << 2 << 0.99e-9 << 1e-3 << 1024;
        QTest::newRow("lr = 0") << 5 << 2 << 0.1 << 0.0 << 1024;
        QTest::newRow("lr = inf") << 5 << 2 << 0.1 << std::numeric_limits<double>::infinity() << 1024;
        QTest::newRow("lr = nan") << 5 << 2 << 0.1 << std::numeric_limits<double>::quiet_NaN() << 1024;
        QTest::newRow("huge n*m*batch") << 100000 << 20000 << 0.1 << 1e-3 << 4096;
    }

    void invalidConfigurations()
    {
        QFETCH(int, n);
        QFETCH(int, m);
        QFETCH(double, p);
        QFETCH(double, lr);
        QFETCH(int, batch);
        ToyModelConfig c;
        c.features = n;
        c.hidden = m;
        c.featureProbability = ToyModelConfig::sharedProbability(std::max(n, 0), 1, p);
        TrainingConfig t;
        t.learningRate = lr;
        t.batch = batch;
        bool threw = false;
        try {
            ToyTrainer trainer(c, t);
        } catch (const InputError& error) {
            threw = std::string(error.what()).size() > 10;
        }
        QVERIFY(threw);
    }
};

QTEST_GUILESS_MAIN(TestToyTraining)
#include "tst_toy_training.moc"
