// Feature dashboards of SAEs on a language model (lmfeatures/FeatureDashboard, LogitEffects, FeatureSteering):
// every feature's density, max activation and where it occurs, and its top and bottom logit effects equal an
// independent PyTorch computation (tests/data/lm/make_dashboard_golden.py) for an SAE on mlp.hook_post without
// centring and one on a residual hook with TransformerLens's centring; the card's parts agree with each other and
// with brute force; steering at strength 0 changes nothing and a large strength changes the text; the randomized
// controls do what they say; the interpretability proxies equal a brute-force computation.
#include "common/InputError.h"
#include "lm/ByteTokenizer.h"
#include "lm/GptConfig.h"
#include "lm/GptGenerator.h"
#include "lm/GptWeights.h"
#include "lm/LanguageModel.h"
#include "lmfeatures/FeatureDashboard.h"
#include "lmfeatures/FeatureSteering.h"
#include "lmfeatures/InterpretabilityProxies.h"
#include "lmfeatures/TransformerRandomizer.h"
#include "sae/ImportedSae.h"
#include "sae/SaeLensLoader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <memory>
#include <algorithm>
#include <set>
#include <utility>

using namespace featurescope;

namespace {

const std::string kDataDir = FEATURESCOPE_TEST_DATA_DIR "/lm/";

LanguageModel tiny2()
{
    const GptConfig config = GptConfig::read(kDataDir + "tiny2/config.json");
    return LanguageModel(GptModel(GptWeights::load(kDataDir + "tiny2/model.safetensors", config)),
                         std::make_shared<ByteTokenizer>());
}

QJsonObject golden()
{
    QFile file(QString::fromStdString(kDataDir + "dashboard.golden.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read dashboard.golden.json");
    return QJsonDocument::fromJson(file.readAll()).object();
}

std::vector<int> intsOf(const QJsonValue& v)
{
    std::vector<int> out;
    for (const QJsonValue x : v.toArray())
        out.push_back(x.toInt());
    return out;
}

} // namespace

class TestLmDashboard : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesReference_data()
    {
        QTest::addColumn<QString>("sae");
        QTest::newRow("mlp.hook_post, raw") << QStringLiteral("sae_mlp");
        QTest::newRow("resid_mid, centred") << QStringLiteral("sae_resid");
    }

    void matchesReference()
    {
        QFETCH(QString, sae);
        const QJsonObject g = golden();
        const QJsonObject expected = g.value(QStringLiteral("saes")).toObject().value(sae).toObject();
        const LanguageModel lm = tiny2();
        const ImportedSae imported = SaeLensLoader::load(kDataDir + "dashboard/" + sae.toStdString());
        const GptHookPoint hook = GptHookPoint::parse(imported.config().hookName, 2);
        QCOMPARE(QString::fromStdString(hook.name()), expected.value(QStringLiteral("hook")).toString());
        const TransformerLensProcessing processing =
            TransformerLensProcessing::fromSaeLensConfig(imported.config().raw, "cfg.json");
        FeatureDashboard dashboard(lm, imported, hook, processing);
        DashboardSettings settings;
        settings.context = g.value(QStringLiteral("context")).toInt();
        const std::vector<int> ids = intsOf(g.value(QStringLiteral("ids")));
        settings.maxTokens = ids.size();
        settings.batch = 4; // windows in two uneven batches
        dashboard.scan(ids, settings);
        QCOMPARE(dashboard.tokensScanned(), std::int64_t(ids.size()));
        CardOptions options;
        options.logits = g.value(QStringLiteral("logits")).toInt();
        int alive = 0;
        for (const QJsonValue v : expected.value(QStringLiteral("features")).toArray()) {
            const QJsonObject f = v.toObject();
            const int index = f.value(QStringLiteral("index")).toInt();
            const FeatureCard c = dashboard.card(index, options);
            const std::string where = sae.toStdString() + " feature " + std::to_string(index);
            // A code within rounding of zero may fall either side: one position of slack.
            QVERIFY2(std::abs(c.density - f.value(QStringLiteral("density")).toDouble()) <= 1.0 / ids.size() + 1e-12,
                     where.c_str());
            const double max = f.value(QStringLiteral("max_activation")).toDouble();
            QVERIFY2(std::abs(c.maxActivation - max) < 2e-4 * std::max(1.0, max), where.c_str());
            if (max > 1e-3) {
                ++alive;
                QVERIFY(!c.topExamples.empty());
                QCOMPARE(c.topExamples.front().sequence, std::int64_t(f.value(QStringLiteral("sequence")).toInt()));
                QCOMPARE(c.topExamples.front().position, f.value(QStringLiteral("position")).toInt());
            }
            QVERIFY(c.logitsAvailable);
            std::vector<int> top, bottom;
            for (const auto& t : c.topLogits)
                top.push_back(t.id);
            for (const auto& t : c.bottomLogits)
                bottom.push_back(t.id);
            QCOMPARE(top, intsOf(f.value(QStringLiteral("top_logits"))));
            QCOMPARE(bottom, intsOf(f.value(QStringLiteral("bottom_logits"))));
            const QJsonArray values = f.value(QStringLiteral("top_values")).toArray();
            for (int i = 0; i < values.size(); ++i)
                QVERIFY2(std::abs(c.topLogits[std::size_t(i)].value - values.at(i).toDouble()) < 1e-4, where.c_str());
        }
        QVERIFY(alive >= 5); // the golden SAEs have enough live features to mean something
    }

    // The parts of a card agree with each other and with brute force over encodeSequence().
    void cardIsConsistent()
    {
        const LanguageModel lm = tiny2();
        const ImportedSae sae = SaeLensLoader::load(kDataDir + "dashboard/sae_mlp");
        const GptHookPoint hook = GptHookPoint::parse(sae.config().hookName, 2);
        FeatureDashboard dashboard(lm, sae, hook, TransformerLensProcessing::raw());
        std::vector<int> ids(16 * 9);
        for (std::size_t i = 0; i < ids.size(); ++i)
            ids[i] = int((i * 37 + i / 7) % 97);
        DashboardSettings settings;
        settings.context = 16;
        settings.maxTokens = 16 * 8; // the ninth window is not scanned
        dashboard.scan(ids, settings);
        QCOMPARE(dashboard.windows(), std::int64_t(8));
        Eigen::MatrixXf all(sae.latentDim(), 0);
        for (int w = 0; w < 8; ++w) {
            const Eigen::MatrixXf codes = dashboard.encodeSequence(std::vector<int>(ids.begin() + w * 16, ids.begin() + (w + 1) * 16));
            all.conservativeResize(Eigen::NoChange, all.cols() + codes.cols());
            all.rightCols(codes.cols()) = codes;
        }
        FeatureDashboard parallel(lm, sae, hook, TransformerLensProcessing::raw());
        settings.threads = 3;
        settings.batch = 2;
        parallel.scan(ids, settings); // the same codes in the same order, whatever the threads and batches
        CardOptions options;
        options.topExamples = 4;
        options.contextTokens = 3;
        QCOMPARE(parallel.tokens(), dashboard.tokens());
        for (int f = 0; f < sae.latentDim(); ++f) {
            QCOMPARE(parallel.activations(f).size(), dashboard.activations(f).size());
            for (std::size_t i = 0; i < dashboard.activations(f).size(); ++i) {
                QCOMPARE(parallel.activations(f)[i].row, dashboard.activations(f)[i].row);
                // Bit for bit: near-equal examples must rank the same whatever the scan's threads and batches.
                QVERIFY(parallel.activations(f)[i].value == dashboard.activations(f)[i].value); // not QCOMPARE: fuzzy
            }
        }
        for (int f = 0; f < sae.latentDim(); ++f) {
            const FeatureCard c = dashboard.card(f, options);
            const std::int64_t active = (all.row(f).array() > 0.0f).count();
            QCOMPARE(c.activeTokens, active);
            std::int64_t inBands = 0, inHistogram = 0;
            for (const QuantileGroup& q : c.quantileGroups) {
                inBands += q.count;
                QVERIFY(q.lower <= q.upper);
                for (const DashboardExample& e : q.examples)
                    QVERIFY(e.maxActivation >= q.lower - 1e-6f && e.maxActivation <= q.upper + 1e-6f);
            }
            for (std::size_t b = 1; b < c.quantileGroups.size(); ++b)
                QVERIFY(c.quantileGroups[b - 1].upper <= c.quantileGroups[b].lower + 1e-6f); // weakest band first
            for (const std::int64_t n : c.histogramCounts)
                inHistogram += n;
            QCOMPARE(inBands, active);
            QCOMPARE(inHistogram, active);
            std::set<std::int64_t> windows;
            for (std::size_t i = 0; i < c.topExamples.size(); ++i) {
                const DashboardExample& e = c.topExamples[i];
                QVERIFY(windows.insert(e.sequence).second); // one example per window
                if (i > 0)
                    QVERIFY(e.maxActivation <= c.topExamples[i - 1].maxActivation);
                QCOMPARE(e.tokenIds.size(), e.activations.size());
                QVERIFY(int(e.tokenIds.size()) <= 2 * 3 + 1);
                const std::int64_t row = e.sequence * 16 + e.position;
                QVERIFY(std::abs(e.maxActivation - all(f, row)) < 1e-5f);
                QCOMPARE(e.tokenIds[std::size_t(e.position - e.first)], ids[std::size_t(row)]);
            }
            // Co-firing by brute force for the first listed partner.
            if (!c.coFiring.empty()) {
                const int other = c.coFiring.front().first;
                const auto a = all.row(f).array() > 0.0f, b = all.row(other).array() > 0.0f;
                const double jaccard = double((a && b).count()) / double((a || b).count());
                QVERIFY(std::abs(c.coFiring.front().second - jaccard) < 1e-6);
            }
            if (!c.nearest.empty()) {
                const Eigen::VectorXf d = sae.decoderWeights().col(f), e = sae.decoderWeights().col(c.nearest.front().first);
                QVERIFY(std::abs(c.nearest.front().second - d.dot(e) / (d.norm() * e.norm())) < 1e-5f);
            }
        }
    }

    void steering()
    {
        const LanguageModel lm = tiny2();
        const ImportedSae sae = SaeLensLoader::load(kDataDir + "dashboard/sae_resid");
        const GptHookPoint hook = GptHookPoint::parse(sae.config().hookName, 2);
        const std::vector<int> prompt{5, 17, 42};
        GptSampling sampling;
        sampling.temperature = 1.0;
        sampling.seed = 9;
        const std::vector<int> plain = GptGenerator::generate(lm.model(), prompt, 10, sampling);
        GptHooks zero, strong;
        FeatureSteering(sae, 2, 0.0f).install(zero, hook);
        FeatureSteering(sae, 2, 200.0f).install(strong, hook);
        QCOMPARE(GptGenerator::generate(lm.model(), prompt, 10, sampling, &zero), plain);
        QVERIFY(GptGenerator::generate(lm.model(), prompt, 10, sampling, &strong) != plain);

        // Clamping replaces the feature's contribution: x' = x + (strength - f(x)) d, f(x) its code before.
        GptHooks clamp;
        RowMatrixF before, after;
        clamp.add(hook, [&](RowMatrixMap a, int, int) { before = a; });
        FeatureSteering(sae, 2, 3.0f, true).install(clamp, hook);
        clamp.add(hook, [&](RowMatrixMap a, int, int) { after = a; });
        GptActivations out;
        lm.model().forward(prompt.data(), 1, 3, out, &clamp);
        const Eigen::MatrixXf codes = sae.encode(before.transpose());
        const Eigen::RowVectorXf d = sae.decoderWeights().col(2).transpose();
        for (Eigen::Index r = 0; r < after.rows(); ++r)
            QVERIFY((after.row(r) - before.row(r) - (3.0f - codes(2, r)) * d).cwiseAbs().maxCoeff() < 1e-5f);
        QVERIFY_THROWS_EXCEPTION(InputError, FeatureSteering(sae, 16, 1.0f));
        QVERIFY_THROWS_EXCEPTION(InputError, FeatureSteering(sae, 0, float(NAN)));
    }

    void randomizedControls()
    {
        using Control = TransformerRandomizer::Control;
        using Kind = GptWeights::Kind;
        const GptWeights trained = tiny2().model().weights();
        auto sorted = [](ConstRowMatrixMap m) {
            std::vector<float> v(m.data(), m.data() + m.size());
            std::sort(v.begin(), v.end());
            return v;
        };
        GptWeights shuffled = trained;
        TransformerRandomizer::apply(shuffled, Control::Shuffle, 5);
        for (const Kind k : {Kind::TokenEmbedding, Kind::FcWeight, Kind::AttnWeight}) {
            const int layer = k == Kind::TokenEmbedding ? -1 : 1;
            QCOMPARE(sorted(std::as_const(shuffled).matrix(k, layer)), sorted(trained.matrix(k, layer))); // same values...
            QVERIFY(shuffled.matrix(k, layer) != trained.matrix(k, layer));                 // ...elsewhere
        }
        QVERIFY(shuffled.row(Kind::Norm1Gain, 0) == trained.row(Kind::Norm1Gain, 0)); // gains and biases kept
        QVERIFY(shuffled.row(Kind::FcBias, 1) == trained.row(Kind::FcBias, 1));

        GptWeights redrawn = trained;
        TransformerRandomizer::apply(redrawn, Control::Reinit, 5, true);
        QVERIFY(redrawn.matrix(Kind::TokenEmbedding) == trained.matrix(Kind::TokenEmbedding)); // kept on request
        const Eigen::ArrayXXf before = trained.matrix(Kind::FcWeight, 0).array(),
                            after = std::as_const(redrawn).matrix(Kind::FcWeight, 0).array();
        auto sd = [](const auto& a) { return std::sqrt((a - a.mean()).square().mean()); };
        QVERIFY(std::abs(after.mean() - before.mean()) < 0.1f * sd(before));
        QVERIFY(std::abs(sd(after) / sd(before) - 1.0f) < 0.1f);
        QVERIFY((after - before).abs().maxCoeff() > 0.0f);

        GptWeights untrained = trained, reference = trained;
        TransformerRandomizer::apply(untrained, Control::Untrained, 5);
        reference.initialize(5);
        QVERIFY(Eigen::Map<const Eigen::VectorXf>(untrained.data(), Eigen::Index(untrained.size())) ==
                Eigen::Map<const Eigen::VectorXf>(reference.data(), Eigen::Index(reference.size())));
        QVERIFY_THROWS_EXCEPTION(InputError, TransformerRandomizer::parse("scramble"));
    }

    // token_explained_variance and distinct_top_tokens by brute force over every position's codes.
    void proxiesMatchBruteForce()
    {
        const LanguageModel lm = tiny2();
        const ImportedSae sae = SaeLensLoader::load(kDataDir + "dashboard/sae_mlp");
        FeatureDashboard dashboard(lm, sae, GptHookPoint::parse("blocks.1.mlp.hook_post", 2), TransformerLensProcessing::raw());
        std::vector<int> ids(16 * 6);
        for (std::size_t i = 0; i < ids.size(); ++i)
            ids[i] = int((i * i + 3 * i) % 11); // few distinct tokens, so per-token means carry information
        DashboardSettings settings;
        settings.context = 16;
        settings.maxTokens = ids.size();
        dashboard.scan(ids, settings);
        Eigen::MatrixXf all(sae.latentDim(), 0);
        for (int w = 0; w < 6; ++w) {
            const Eigen::MatrixXf codes = dashboard.encodeSequence(std::vector<int>(ids.begin() + w * 16, ids.begin() + (w + 1) * 16));
            all.conservativeResize(Eigen::NoChange, all.cols() + codes.cols());
            all.rightCols(codes.cols()) = codes;
        }
        double explained = 0.0;
        int live = 0;
        for (int f = 0; f < sae.latentDim(); ++f) {
            const Eigen::ArrayXd a = all.row(f).transpose().cast<double>().array();
            if ((a > 0.0).count() == 0)
                continue;
            ++live;
            const double total = (a - a.mean()).square().sum();
            double within = 0.0;
            for (int token = 0; token < 11; ++token) {
                std::vector<double> values;
                for (std::size_t i = 0; i < ids.size(); ++i)
                    if (ids[i] == token)
                        values.push_back(a[Eigen::Index(i)]);
                if (values.empty())
                    continue;
                const Eigen::Map<const Eigen::ArrayXd> v(values.data(), Eigen::Index(values.size()));
                within += (v - v.mean()).square().sum();
            }
            explained += total > 0.0 ? std::clamp(1.0 - within / total, 0.0, 1.0) : 0.0;
        }
        const InterpretabilityProxies p = InterpretabilityProxies::measure(dashboard);
        QCOMPARE(p.liveFeatures, live);
        QVERIFY(std::abs(p.tokenExplainedVariance - explained / live) < 1e-4);
        QVERIFY(p.tokenExplainedVariance > 0.0 && p.tokenExplainedVariance <= 1.0);
        QVERIFY(p.distinctTopTokens >= 1.0 && p.distinctTopTokens <= 10.0);
        QVERIFY(p.logitConcentration > 0.0 && p.logitConcentration <= 1.0);
    }

    void refusesBadInput()
    {
        const LanguageModel lm = tiny2();
        const ImportedSae sae = SaeLensLoader::load(kDataDir + "dashboard/sae_mlp");
        // d_in 128 does not fit a residual hook of width 32.
        QVERIFY_THROWS_EXCEPTION(InputError, FeatureDashboard(lm, sae, GptHookPoint::parse("blocks.0.hook_resid_pre", 2),
                                                              TransformerLensProcessing::raw()));
        FeatureDashboard dashboard(lm, sae, GptHookPoint::parse("blocks.1.mlp.hook_post", 2), TransformerLensProcessing::raw());
        DashboardSettings settings;
        settings.context = 8;
        QVERIFY_THROWS_EXCEPTION(InputError, dashboard.scan({1, 2, 3}, settings)); // shorter than a window
        settings.context = 17; // n_positions is 16
        QVERIFY_THROWS_EXCEPTION(InputError, dashboard.scan(std::vector<int>(40, 1), settings));
        settings.context = 8;
        QVERIFY_THROWS_EXCEPTION(InputError, dashboard.scan(std::vector<int>(16, 200), settings)); // outside the vocabulary
        dashboard.scan(std::vector<int>(16, 1), settings);
        QVERIFY_THROWS_EXCEPTION(InputError, dashboard.card(24));
        QVERIFY_THROWS_EXCEPTION(InputError, dashboard.card(-1));
        settings.maxStoredActivations = 3; // far fewer than one window's active codes
        QVERIFY_THROWS_EXCEPTION(InputError, dashboard.scan(std::vector<int>(16, 1), settings));
    }
};

QTEST_GUILESS_MAIN(TestLmDashboard)
#include "tst_lm_dashboard.moc"
