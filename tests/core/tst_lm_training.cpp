// Training a small GPT on bytes: the loss falls, the schedule has its shape, a diverging run stops with the last
// good weights, cancel stops early, evaluation windows are counted as stated.
#include "common/ProgressReporter.h"
#include "lm/ByteTokenizer.h"
#include "lm/GptTrainer.h"

#include <QTest>

#include <cmath>

using namespace featurescope;

namespace {

GptModel byteModel(int context)
{
    GptConfig c;
    c.layers = 1;
    c.width = 32;
    c.heads = 4;
    c.inner = 64;
    c.vocabSize = 256;
    c.positions = context;
    GptWeights w(c);
    w.initialize(3);
    return GptModel(std::move(w));
}

std::vector<int> corpus()
{
    std::string text;
    for (int i = 0; i < 100; ++i)
        text += "abcabcabd xyz xyz. ";
    return ByteTokenizer().encode(text);
}

GptTrainingSettings quick(int steps, double lr)
{
    GptTrainingSettings s;
    s.batch = 8;
    s.context = 16;
    s.steps = steps;
    s.learningRate = lr;
    return s;
}

} // namespace

class TestLmTraining : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lossFalls()
    {
        GptModel model = byteModel(16);
        const std::vector<int> tokens = corpus();
        const double before = GptTrainer::evaluate(model, tokens, 16).first;
        QVERIFY(std::abs(before - std::log(256.0)) < 0.1); // an untrained model is near uniform
        GptTrainer trainer(model, quick(200, 3e-3));
        const GptTrainingResult r = trainer.train(tokens);
        QCOMPARE(r.steps, 200);
        QVERIFY(!r.diverged);
        const double after = GptTrainer::evaluate(model, tokens, 16).first;
        QVERIFY2(after < 1.0, std::to_string(after).c_str());
        QVERIFY(std::abs(r.loss - after) < 0.5);
    }

    // Splitting the batch over threads computes the same gradient (up to summation order).
    void threadsGiveTheSameTraining()
    {
        GptModel one = byteModel(16), two = byteModel(16);
        GptTrainingSettings s = quick(20, 3e-3);
        GptTrainer(one, s).train(corpus());
        s.threads = 2;
        const GptTrainingResult r = GptTrainer(two, s).train(corpus());
        QCOMPARE(r.steps, 20);
        double worst = 0.0;
        for (std::size_t i = 0; i < one.weights().size(); ++i)
            worst = std::max(worst, double(std::abs(one.weights().data()[i] - two.weights().data()[i])));
        QVERIFY2(worst < 1e-4, std::to_string(worst).c_str());
    }

    void schedule()
    {
        GptModel model = byteModel(16);
        GptTrainingSettings s = quick(100, 1e-3);
        s.warmupSteps = 10;
        QVERIFY(!s.cosine); // constant is the default (it learns more in 600 steps)
        s.cosine = true;
        const GptTrainer cosine(model, s);
        QVERIFY(std::abs(cosine.learningRateAt(0) - 1e-4) < 1e-12);
        QVERIFY(std::abs(cosine.learningRateAt(9) - 1e-3) < 1e-12);
        QVERIFY(std::abs(cosine.learningRateAt(99) - 1e-4) < 1e-9); // decays to a tenth
        QVERIFY(cosine.learningRateAt(50) < 1e-3 && cosine.learningRateAt(50) > 1e-4);
        s.cosine = false;
        const GptTrainer constant(model, s);
        QCOMPARE(constant.learningRateAt(99), 1e-3);
    }

    void divergenceKeepsLastGoodWeights()
    {
        GptModel model = byteModel(16);
        GptTrainingSettings s = quick(50, 1e30); // each Adam step moves weights by ~1e30: float overflows quickly
        s.warmupSteps = 0;
        s.clipNorm = 0.0;
        GptTrainer trainer(model, s);
        const GptTrainingResult r = trainer.train(corpus());
        QVERIFY(r.diverged);
        QVERIFY(r.steps < 50);
        QVERIFY(r.message.find("diverged") != std::string::npos);
        for (std::size_t i = 0; i < model.weights().size(); ++i)
            QVERIFY(std::isfinite(model.weights().data()[i]));
        QVERIFY(std::isfinite(GptTrainer::evaluate(model, corpus(), 16).first));
    }

    void cancelStops()
    {
        GptModel model = byteModel(16);
        ProgressReporter progress([](double, const std::string&) {});
        progress.cancel();
        GptTrainer trainer(model, quick(50, 1e-3));
        const GptTrainingResult r = trainer.train(corpus(), &progress);
        QVERIFY(r.cancelled);
        QCOMPARE(r.steps, 0);
    }

    void evaluationWindows()
    {
        const GptModel model = byteModel(16);
        const std::vector<int> tokens = corpus(); // 1900 bytes
        const auto [loss, count] = GptTrainer::evaluate(model, tokens, 16);
        QCOMPARE(count, std::size_t((tokens.size() - 1) / 16 * 16));
        QVERIFY(std::isfinite(loss));
    }
};

QTEST_GUILESS_MAIN(TestLmTraining)
#include "tst_lm_training.moc"
