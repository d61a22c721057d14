// The GPT-2 forward pass against golden values from an independent PyTorch implementation
// (tests/data/lm/make_golden.py): logits, loss and every hook, raw and centred; hook replacement; batching;
// TransformerLens's processing (centring, fold_ln) as the hooks see it, and as an SAE's cfg.json asks for it.
#include "common/InputError.h"
#include "lm/GptConfig.h"
#include "lm/GptModel.h"
#include "lm/GptWeights.h"
#include "lm/TransformerLensProcessing.h"
#include "math/Bf16Gemm.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <map>

using namespace featurescope;

namespace {

constexpr double kTolerance = 2e-4;
const std::string kDataDir = FEATURESCOPE_TEST_DATA_DIR "/lm/";

GptModel loadModel(const std::string& name)
{
    const GptConfig config = GptConfig::read(kDataDir + name + "/config.json");
    return GptModel(GptWeights::load(kDataDir + name + "/model.safetensors", config));
}

QJsonObject golden(const std::string& name)
{
    QFile file(QString::fromStdString(kDataDir + name + ".golden.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the golden file of %s", name.c_str());
    return QJsonDocument::fromJson(file.readAll()).object();
}

std::vector<int> idsOf(const QJsonObject& g)
{
    std::vector<int> ids;
    for (const QJsonValue v : g.value(QStringLiteral("ids")).toArray())
        ids.push_back(v.toInt());
    return ids;
}

// Largest |a - b| between a [rows, cols] matrix (rows starting at `firstRow`) and a JSON array of rows; +inf on a
// shape mismatch.
double maxDifference(const RowMatrixF& m, const QJsonArray& rows, Eigen::Index firstRow = 0)
{
    double worst = 0.0;
    for (int r = 0; r < rows.size(); ++r) {
        const QJsonArray row = rows.at(r).toArray();
        if (row.size() != m.cols() || firstRow + r >= m.rows())
            return INFINITY;
        for (int c = 0; c < row.size(); ++c)
            worst = std::max(worst, std::abs(double(m(firstRow + r, c)) - row.at(c).toDouble()));
    }
    return worst;
}

RowMatrixF centered(const RowMatrixF& m)
{
    RowMatrixF out = m;
    for (Eigen::Index r = 0; r < out.rows(); ++r)
        out.row(r).array() -= out.row(r).mean();
    return out;
}

} // namespace

class TestLmForward : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesReference_data()
    {
        QTest::addColumn<QString>("model");
        QTest::newRow("tiny2 (2 layers, d 32, 4 heads)") << QStringLiteral("tiny2");
        QTest::newRow("tiny1 (1 layer, d 48, 3 heads, d_mlp 100)") << QStringLiteral("tiny1");
    }

    void matchesReference()
    {
        QFETCH(QString, model);
        const GptModel gpt = loadModel(model.toStdString());
        const QJsonObject g = golden(model.toStdString());
        const std::vector<int> ids = idsOf(g);
        const int tokens = int(ids.size());

        std::map<std::string, RowMatrixF> seen;
        GptHooks hooks;
        for (const GptHookPoint& point : GptHookPoint::all(gpt.config().layers))
            hooks.add(point, [&seen, point](RowMatrixMap activation, int, int) { seen[point.name()] = activation; });
        GptActivations out;
        gpt.forward(ids.data(), 1, tokens, out, &hooks);

        QVERIFY(maxDifference(out.logits, g.value(QStringLiteral("logits")).toArray()) < kTolerance);
        const double loss = GptModel::crossEntropy(out.logits, GptModel::nextTokenTargets(ids.data(), 1, tokens));
        QVERIFY2(std::abs(loss - g.value(QStringLiteral("loss")).toDouble()) < kTolerance, std::to_string(loss).c_str());

        const QJsonObject raw = g.value(QStringLiteral("hooks")).toObject();
        const QJsonObject centred = g.value(QStringLiteral("centered")).toObject();
        QCOMPARE(int(seen.size()), raw.size());
        QCOMPARE(raw.size(), 7 * gpt.config().layers + 1);
        for (const auto& [name, values] : seen) {
            const QString key = QString::fromStdString(name);
            QVERIFY2(raw.contains(key), name.c_str());
            const double rawError = maxDifference(values, raw.value(key).toArray());
            const double centredError = maxDifference(centered(values), centred.value(key).toArray());
            QVERIFY2(rawError < kTolerance, (name + " raw " + std::to_string(rawError)).c_str());
            QVERIFY2(centredError < kTolerance, (name + " centred " + std::to_string(centredError)).c_str());
        }
    }

    // Two different sequences in one batch give each sequence's own single-sequence results.
    void batchRowsAreIndependent()
    {
        const GptModel gpt = loadModel("tiny2");
        const std::vector<int> a = idsOf(golden("tiny2"));
        std::vector<int> b(a.rbegin(), a.rend());
        std::vector<int> both = a;
        both.insert(both.end(), b.begin(), b.end());
        const int T = int(a.size());
        GptActivations single, batched;
        gpt.forward(both.data(), 2, T, batched);
        gpt.forward(b.data(), 1, T, single);
        QVERIFY((batched.logits.bottomRows(T) - single.logits).cwiseAbs().maxCoeff() < 1e-5f);
        gpt.forward(a.data(), 1, T, single);
        QVERIFY((batched.logits.topRows(T) - single.logits).cwiseAbs().maxCoeff() < 1e-5f);
    }

    // A hook that replaces an activation changes what follows: zeroing the last residual stream leaves
    // ln_final(0) = its bias, so every position's logits are ln_f.bias . wte^T.
    void hookReplacesActivation()
    {
        const GptModel gpt = loadModel("tiny2");
        const std::vector<int> ids = idsOf(golden("tiny2"));
        GptHooks hooks;
        hooks.add(GptHookPoint::parse("blocks.1.hook_resid_post", 2),
                  [](RowMatrixMap activation, int, int) { activation.setZero(); });
        GptActivations out;
        gpt.forward(ids.data(), 1, int(ids.size()), out, &hooks);
        const RowMatrixF expected = gpt.weights().row(GptWeights::Kind::FinalNormBias) *
                                    gpt.weights().matrix(GptWeights::Kind::TokenEmbedding).transpose();
        for (Eigen::Index r = 0; r < out.logits.rows(); ++r)
            QVERIFY((out.logits.row(r) - expected).cwiseAbs().maxCoeff() < 1e-5f);

        // Replacing mlp.hook_post by itself times 0 equals removing the MLP's matrix: hook_mlp_out is then the bias.
        GptHooks ablate;
        RowMatrixF mlpOut;
        ablate.add(GptHookPoint::parse("blocks.0.mlp.hook_post", 2), [](RowMatrixMap a, int, int) { a.setZero(); });
        ablate.add(GptHookPoint::parse("blocks.0.hook_mlp_out", 2), [&](RowMatrixMap a, int, int) { mlpOut = a; });
        gpt.forward(ids.data(), 1, int(ids.size()), out, &ablate);
        for (Eigen::Index r = 0; r < mlpOut.rows(); ++r)
            QVERIFY((mlpOut.row(r) - gpt.weights().row(GptWeights::Kind::MlpProjBias, 0)).cwiseAbs().maxCoeff() < 1e-7f);
    }

    // Centring makes every residual-stream hook mean-free without changing any other hook or the logits; fold_ln
    // hands ln_final.hook_normalized the vector before ln_f's gain and bias, and what a hook leaves there is then
    // scaled and shifted.
    void transformerLensProcessing()
    {
        const GptModel gpt = loadModel("tiny2");
        const std::vector<int> ids = idsOf(golden("tiny2"));
        const int T = int(ids.size());
        std::map<std::string, RowMatrixF> raw, processed;
        GptHooks rawHooks, tlHooks;
        TransformerLensProcessing().applyTo(tlHooks);
        for (const GptHookPoint& point : GptHookPoint::all(2)) {
            rawHooks.add(point, [&raw, point](RowMatrixMap a, int, int) { raw[point.name()] = a; });
            tlHooks.add(point, [&processed, point](RowMatrixMap a, int, int) { processed[point.name()] = a; });
        }
        GptActivations plain, tl;
        gpt.forward(ids.data(), 1, T, plain, &rawHooks);
        gpt.forward(ids.data(), 1, T, tl, &tlHooks);
        QVERIFY((plain.logits - tl.logits).cwiseAbs().maxCoeff() < 1e-4f);
        const auto gain = gpt.weights().row(GptWeights::Kind::FinalNormGain).array();
        const auto bias = gpt.weights().row(GptWeights::Kind::FinalNormBias).array();
        int centredHooks = 0;
        for (const GptHookPoint& point : GptHookPoint::all(2)) {
            const RowMatrixF& r = raw.at(point.name());
            const RowMatrixF& p = processed.at(point.name());
            RowMatrixF expected = r;
            if (point.writesResidual()) {
                expected = centered(r);
                QVERIFY(p.rowwise().mean().cwiseAbs().maxCoeff() < 1e-5f);
                ++centredHooks;
            } else if (point.site == GptHookPoint::Site::FinalNormalized) {
                const RowMatrixF rescaled = (p.array().rowwise() * gain).rowwise() + bias;
                QVERIFY2((rescaled - r).cwiseAbs().maxCoeff() < 1e-5f, "fold_ln: hat * gain + bias is ln_f's output");
                continue;
            }
            QVERIFY2((p - expected).cwiseAbs().maxCoeff() < 1e-5f, point.name().c_str());
        }
        QCOMPARE(centredHooks, 2 * 5); // resid_pre, attn_out, resid_mid, mlp_out, resid_post per layer

        // Zeroing the folded hook leaves ln_f's bias: logits = bias . wte^T. Unfolded, zero gives zero logits.
        const GptHookPoint final = GptHookPoint::parse("ln_final.hook_normalized", 2);
        GptHooks folded, unfolded;
        folded.setFoldFinalNorm(true);
        folded.add(final, [](RowMatrixMap a, int, int) { a.setZero(); });
        unfolded.add(final, [](RowMatrixMap a, int, int) { a.setZero(); });
        gpt.forward(ids.data(), 1, T, tl, &folded);
        const RowMatrixF biasLogits = gpt.weights().row(GptWeights::Kind::FinalNormBias) *
                                      gpt.weights().matrix(GptWeights::Kind::TokenEmbedding).transpose();
        for (Eigen::Index r = 0; r < tl.logits.rows(); ++r)
            QVERIFY((tl.logits.row(r) - biasLogits).cwiseAbs().maxCoeff() < 1e-5f);
        gpt.forward(ids.data(), 1, T, tl, &unfolded);
        QVERIFY(tl.logits.cwiseAbs().maxCoeff() == 0.0f);
    }

    // SAELens writes prepend_bos and model_from_pretrained_kwargs at the top level (before v6) or under metadata;
    // what it leaves out keeps TransformerLens's defaults (all on).
    void processingFromSaeLensConfig()
    {
        auto read = [](const char* text) {
            return TransformerLensProcessing::fromSaeLensConfig(nlohmann::json::parse(text), "cfg.json");
        };
        const auto defaults = read("{}");
        QVERIFY(defaults.prependBos && defaults.centerWritingWeights && defaults.foldLn);
        const auto v6 = read(R"({"metadata": {"prepend_bos": false,
                                  "model_from_pretrained_kwargs": {"center_writing_weights": false}}})");
        QVERIFY(!v6.prependBos && !v6.centerWritingWeights && v6.foldLn);
        const auto flat = read(R"({"prepend_bos": true, "model_from_pretrained_kwargs": {"fold_ln": false}})");
        QVERIFY(flat.prependBos && flat.centerWritingWeights && !flat.foldLn);
        const auto both = read(R"({"prepend_bos": true, "metadata": {"prepend_bos": false}})");
        QVERIFY(both.prependBos);
        const auto nulls = read(R"({"prepend_bos": null, "model_from_pretrained_kwargs": null})");
        QVERIFY(nulls.prependBos && nulls.centerWritingWeights);
        QVERIFY_THROWS_EXCEPTION(InputError, read(R"({"prepend_bos": "yes"})"));
        QVERIFY_THROWS_EXCEPTION(InputError, read(R"({"model_from_pretrained_kwargs": []})"));
        QVERIFY_THROWS_EXCEPTION(InputError, read(R"({"metadata": {"model_from_pretrained_kwargs": {"fold_ln": 1}}})"));
        const auto raw = TransformerLensProcessing::raw();
        QVERIFY(!raw.prependBos && !raw.centerWritingWeights && !raw.foldLn);
    }

    // bfloat16 inference stays close to float32 (the rounding of inputs to 8 significant bits), and really runs.
    void bf16StaysCloseToFloat()
    {
        GptModel gpt = loadModel("tiny2");
        const std::vector<int> ids = idsOf(golden("tiny2"));
        GptActivations exact, rounded;
        gpt.forward(ids.data(), 1, int(ids.size()), exact);
        if (!Bf16Gemm::available()) {
            QVERIFY_THROWS_EXCEPTION(InputError, gpt.setBf16(true));
            QSKIP("this build has no AVX512_BF16 kernel");
        }
        gpt.setBf16(true);
        QVERIFY(gpt.bf16());
        gpt.forward(ids.data(), 1, int(ids.size()), rounded);
        const float difference = (rounded.logits - exact.logits).cwiseAbs().maxCoeff();
        const float scale = exact.logits.cwiseAbs().maxCoeff();
        QVERIFY2(difference > 0.0f, "the bfloat16 path was not taken");
        QVERIFY2(difference < 0.02f * scale, std::to_string(difference / scale).c_str());
        gpt.weights(); // writable weights drop the snapshot
        QVERIFY(!gpt.bf16());
    }

    void refusesBadInput()
    {
        const GptModel gpt = loadModel("tiny1");
        GptActivations out;
        const std::vector<int> outside{1, 2, 61};
        QVERIFY_THROWS_EXCEPTION(InputError, gpt.forward(outside.data(), 1, 3, out));
        const std::vector<int> negative{-1};
        QVERIFY_THROWS_EXCEPTION(InputError, gpt.forward(negative.data(), 1, 1, out));
        const std::vector<int> tooLong(13, 1); // n_positions is 12
        QVERIFY_THROWS_EXCEPTION(InputError, gpt.forward(tooLong.data(), 1, 13, out));
        QVERIFY_THROWS_EXCEPTION(InputError, GptHookPoint::parse("blocks.1.hook_resid_pre", 1));
        QVERIFY_THROWS_EXCEPTION(InputError, GptHookPoint::parse("blocks.0.hook_nothing", 1));
        QVERIFY_THROWS_EXCEPTION(InputError, GptHookPoint::parse("blocks..hook_resid_pre", 1));
    }
};

QTEST_GUILESS_MAIN(TestLmForward)
#include "tst_lm_forward.moc"
