// SAEBench's model-level scores of a replacement spliced into a hook (lm/SpliceEvaluation): the identity scores 1
// with no loss and no KL, zero-ablation scores 0, a replacement in between scores in between, and the numbers agree
// with a direct computation; bad input and cancellation are refused.
#include "common/Cancelled.h"
#include "common/InputError.h"
#include "common/ProgressReporter.h"
#include "lm/GptConfig.h"
#include "lm/GptModel.h"
#include "lm/GptWeights.h"
#include "lm/SpliceEvaluation.h"
#include "math/Rng.h"

#include <QTest>

#include <cmath>

using namespace featurescope;

namespace {

const std::string kDataDir = FEATURESCOPE_TEST_DATA_DIR "/lm/";

GptModel loadModel(const std::string& name)
{
    const GptConfig config = GptConfig::read(kDataDir + name + "/config.json");
    return GptModel(GptWeights::load(kDataDir + name + "/model.safetensors", config));
}

std::vector<int> randomIds(int count, int vocab, std::uint64_t seed)
{
    Rng rng(seed);
    std::vector<int> ids(std::size_t(count), 0);
    for (int& id : ids)
        id = int(rng.below(std::uint64_t(vocab)));
    return ids;
}

} // namespace

class TestLmSplice : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void identityIsPerfectAndZeroIsAblation_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<QString>("hook");
        QTest::newRow("tiny1 mlp post") << "tiny1" << "blocks.0.mlp.hook_post";
        QTest::newRow("tiny1 resid mid") << "tiny1" << "blocks.0.hook_resid_mid";
        QTest::newRow("tiny2 resid pre 1") << "tiny2" << "blocks.1.hook_resid_pre";
    }

    void identityIsPerfectAndZeroIsAblation()
    {
        QFETCH(QString, model);
        QFETCH(QString, hook);
        const GptModel gpt = loadModel(model.toStdString());
        const GptHookPoint point = GptHookPoint::parse(hook.toStdString(), gpt.config().layers);
        const int context = std::min(10, gpt.config().positions);
        const std::vector<int> ids = randomIds(7 * context + 3, gpt.config().vocabSize, 5); // a tail that is dropped

        const SpliceScores same = SpliceEvaluation::evaluate(gpt, point, [](RowMatrixMap) {}, ids, context, 3);
        QCOMPARE(same.windows, std::int64_t(7));
        QCOMPARE(same.tokens, std::int64_t(7 * context));
        QVERIFY(std::abs(same.ceSpliced - same.ceClean) < 1e-12);
        QVERIFY(std::abs(same.klSpliced) < 1e-12);
        QVERIFY(std::abs(same.ceLossScore - 1.0) < 1e-9);
        QVERIFY(std::abs(same.klDivScore - 1.0) < 1e-9);
        QVERIFY(same.klAblated > 1e-6); // ablating this hook changes the prediction

        const SpliceScores zero = SpliceEvaluation::evaluate(gpt, point, [](RowMatrixMap a) { a.setZero(); }, ids, context, 2);
        QVERIFY(std::abs(zero.ceSpliced - zero.ceAblated) < 1e-12);
        QVERIFY(std::abs(zero.ceLossScore) < 1e-9);
        QVERIFY(std::abs(zero.klDivScore) < 1e-9);
        QVERIFY(std::abs(zero.ceClean - same.ceClean) < 1e-6); // the batch size changes only the rounding

        // Halfway: a shrunken activation is between the two, and the clean loss is the plain forward's.
        const SpliceScores half = SpliceEvaluation::evaluate(gpt, point, [](RowMatrixMap a) { a *= 0.5f; }, ids, context);
        QVERIFY(half.klSpliced > 0.0 && half.klSpliced < half.klAblated);
        GptActivations out;
        double total = 0.0;
        for (int w = 0; w < 7; ++w) {
            gpt.forward(ids.data() + w * context, 1, context, out);
            total += GptModel::crossEntropy(out.logits, GptModel::nextTokenTargets(ids.data() + w * context, 1, context));
        }
        QVERIFY(std::abs(half.ceClean - total / 7.0) < 1e-9);
    }

    void refusesBadInputAndCancels()
    {
        const GptModel gpt = loadModel("tiny1");
        const GptHookPoint point = GptHookPoint::parse("blocks.0.mlp.hook_post", 1);
        const std::vector<int> shortText{1, 2, 3};
        QVERIFY_THROWS_EXCEPTION(InputError, SpliceEvaluation::evaluate(gpt, point, [](RowMatrixMap) {}, shortText, 10));
        const std::vector<int> ids = randomIds(40, gpt.config().vocabSize, 1);
        QVERIFY_THROWS_EXCEPTION(InputError, SpliceEvaluation::evaluate(gpt, point, [](RowMatrixMap) {}, ids, 1));
        QVERIFY_THROWS_EXCEPTION(InputError, SpliceEvaluation::evaluate(gpt, point, [](RowMatrixMap) {}, ids, 13));
        const std::vector<int> outside(20, 61);
        QVERIFY_THROWS_EXCEPTION(InputError, SpliceEvaluation::evaluate(gpt, point, [](RowMatrixMap) {}, outside, 10));
        ProgressReporter cancelled;
        cancelled.cancel();
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 SpliceEvaluation::evaluate(gpt, point, [](RowMatrixMap) {}, ids, 10, 8, &cancelled));
    }

    // With BOS every window is BOS + context - 1 tokens of the text; with TransformerLens's processing a residual
    // hook's replacement receives mean-free vectors, and the identity still loses nothing.
    void bosWindowsAndProcessing()
    {
        const GptModel gpt = loadModel("tiny2");
        const GptHookPoint point = GptHookPoint::parse("blocks.1.hook_resid_pre", 2);
        const int context = 10, bos = 3;
        const std::vector<int> ids = randomIds(6 * (context - 1) + 4, gpt.config().vocabSize, 11);
        double largestMean = 0.0;
        const SpliceScores s = SpliceEvaluation::evaluate(
            gpt, point,
            [&](RowMatrixMap a) { largestMean = std::max(largestMean, double(a.rowwise().mean().cwiseAbs().maxCoeff())); },
            ids, context, 4, nullptr, TransformerLensProcessing(), bos);
        QCOMPARE(s.windows, std::int64_t(6));
        QCOMPARE(s.tokens, std::int64_t(6 * context));
        QVERIFY(largestMean < 1e-5);
        QVERIFY(std::abs(s.ceSpliced - s.ceClean) < 1e-6);
        QVERIFY(s.klSpliced < 1e-9);

        // The clean loss with BOS equals running the BOS-led windows by hand.
        double total = 0.0;
        int counted = 0;
        GptActivations out;
        for (int w = 0; w < 6; ++w) {
            std::vector<int> window{bos};
            window.insert(window.end(), ids.begin() + w * (context - 1), ids.begin() + (w + 1) * (context - 1));
            gpt.forward(window.data(), 1, context, out);
            total += GptModel::crossEntropy(out.logits, GptModel::nextTokenTargets(window.data(), 1, context)) * (context - 1);
            counted += context - 1;
        }
        QVERIFY(std::abs(s.ceClean - total / counted) < 1e-6);
    }
};

QTEST_GUILESS_MAIN(TestLmSplice)
#include "tst_lm_splice.moc"
