// GPT-2 model files: config.json fields and bounds, safetensors weights in f32/f16/bf16 with or without the
// "transformer." prefix, ignored mask buffers, save/load round trips, and weights that disagree with the config.
#include "common/InputError.h"
#include "core/ScratchFiles.h"
#include "io/SafetensorsFile.h"
#include "lm/GptConfig.h"
#include "lm/GptWeights.h"
#include "lm/LanguageModel.h"

#include <QTest>

using namespace featurescope;

namespace {

GptConfig smallConfig()
{
    GptConfig c;
    c.layers = 2;
    c.width = 8;
    c.heads = 2;
    c.inner = 12;
    c.vocabSize = 10;
    c.positions = 5;
    return c;
}

std::string configError(const std::string& json)
{
    try {
        GptConfig::parse(json, "config.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}

// The weights as named arrays, converted to `type`, names prefixed, plus optional extra tensors.
std::vector<SafetensorsFile::NamedArray> arraysOf(const GptWeights& w, DType type, const std::string& prefix)
{
    std::vector<SafetensorsFile::NamedArray> arrays;
    for (const GptWeights::Tensor& t : w.tensors()) {
        const ArrayData::Shape shape = t.isVector ? ArrayData::Shape{std::uint64_t(t.cols)}
                                                  : ArrayData::Shape{std::uint64_t(t.rows), std::uint64_t(t.cols)};
        arrays.push_back({prefix + t.name, ArrayData::fromFloats(shape, w.data() + t.offset, type)});
    }
    return arrays;
}

std::string loadError(const std::string& path, const GptConfig& c)
{
    try {
        GptWeights::load(path, c);
    } catch (const InputError& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestLmFiles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void configFields()
    {
        const GptConfig c = GptConfig::parse(R"({"n_layer": 12, "n_head": 12, "n_embd": 768, "n_inner": null,
            "vocab_size": 50257, "n_positions": 1024, "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new",
            "model_type": "gpt2"})", "config.json");
        QCOMPARE(c.inner, 3072);
        QCOMPARE(c.headDim(), 64);
        QCOMPARE(c.parameterCount(), std::uint64_t(124439808)); // GPT-2 small with tied unembedding
        const GptConfig round = GptConfig::parse(c.toJson().dump(), "again");
        QCOMPARE(round.inner, 3072);
        QCOMPARE(round.vocabSize, 50257);
        QCOMPARE(GptConfig::parse(R"({"n_layer":1,"n_head":1,"n_embd":4,"vocab_size":3,"n_positions":2,
            "activation_function":"gelu"})", "x").activation, GptActivation::GeluErf);
    }

    void configRefusals()
    {
        QVERIFY(configError(R"({"n_layer":1,"n_head":3,"n_embd":8,"vocab_size":3,"n_positions":2})").find("does not divide") != std::string::npos);
        QVERIFY(configError(R"({"n_layer":1,"n_head":1,"n_embd":8,"vocab_size":3})").find("missing n_positions") != std::string::npos);
        QVERIFY(configError(R"({"n_layer":100000,"n_head":1,"n_embd":8,"vocab_size":3,"n_positions":2})").find("n_layer") != std::string::npos);
        QVERIFY(configError(R"({"n_layer":1,"n_head":1,"n_embd":8,"vocab_size":3,"n_positions":2,"n_inner":-4})").find("n_inner") != std::string::npos);
        QVERIFY(configError(R"({"n_layer":1,"n_head":1,"n_embd":8,"vocab_size":"3","n_positions":2})").find("not an integer") != std::string::npos);
        QVERIFY(configError(R"({"n_layer":1,"n_head":1,"n_embd":8,"vocab_size":3,"n_positions":2,"activation_function":"relu"})").find("relu") != std::string::npos);
        QVERIFY(configError(R"({"model_type":"llama"})").find("not gpt2") != std::string::npos);
        // Each size within its bound, but together over the parameter limit.
        QVERIFY(configError(R"({"n_layer":256,"n_head":1,"n_embd":16384,"vocab_size":3,"n_positions":2})").find("parameters") != std::string::npos);
        QVERIFY(configError("[]").find("JSON object") != std::string::npos);
    }

    void weightsRoundTrip_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<QString>("prefix");
        QTest::newRow("f32") << int(DType::F32) << QString();
        QTest::newRow("f16, transformer. prefix") << int(DType::F16) << QStringLiteral("transformer.");
        QTest::newRow("bf16") << int(DType::BF16) << QString();
    }

    void weightsRoundTrip()
    {
        QFETCH(int, dtype);
        QFETCH(QString, prefix);
        ScratchFiles scratch;
        GptWeights w(smallConfig());
        w.initialize(5);
        auto arrays = arraysOf(w, DType(dtype), prefix.toStdString());
        // GPT-2's causal-mask buffers and a tied lm_head are present in real checkpoints and must be ignored.
        std::vector<float> mask(25, 1.0f);
        arrays.push_back({prefix.toStdString() + "h.0.attn.bias", ArrayData::fromFloats({1, 1, 5, 5}, mask.data())});
        arrays.push_back({"lm_head.weight", ArrayData::fromFloats({10, 8}, w.data())});
        const std::string path = scratch.path(QStringLiteral("m.safetensors")).toStdString();
        SafetensorsFile::write(path, arrays);
        const GptWeights loaded = GptWeights::load(path, smallConfig());
        const float tolerance = dtype == int(DType::F32) ? 0.0f : dtype == int(DType::F16) ? 1e-3f : 1e-2f;
        for (std::size_t i = 0; i < w.size(); ++i)
            QVERIFY(std::abs(loaded.data()[i] - w.data()[i]) <= tolerance * std::max(1.0f, std::abs(w.data()[i])));

        // save() writes what load() reads back exactly.
        loaded.save(path);
        const GptWeights again = GptWeights::load(path, smallConfig());
        QVERIFY(std::equal(again.data(), again.data() + again.size(), loaded.data()));
    }

    void weightsDisagreeingWithConfig()
    {
        ScratchFiles scratch;
        GptWeights w(smallConfig());
        const std::string path = scratch.path(QStringLiteral("m.safetensors")).toStdString();
        w.save(path);
        GptConfig fewer = smallConfig();
        fewer.layers = 1;
        QVERIFY(loadError(path, fewer).find("unexpected tensor 'h.1.") != std::string::npos);
        GptConfig more = smallConfig();
        more.layers = 3;
        QVERIFY(loadError(path, more).find("h.2.ln_1.weight is missing") != std::string::npos);
        GptConfig wider = smallConfig();
        wider.inner = 16;
        QVERIFY(loadError(path, wider).find("has shape [8, 12]") != std::string::npos);

        auto arrays = arraysOf(w, DType::F32, "");
        arrays.push_back({"transformer.wte.weight", arrays[0].array});
        SafetensorsFile::write(path, arrays);
        QVERIFY(loadError(path, smallConfig()).find("appears twice") != std::string::npos);

        arrays = arraysOf(w, DType::F64, "");
        SafetensorsFile::write(path, arrays);
        QVERIFY(loadError(path, smallConfig()).find("f64") != std::string::npos);
    }

    void modelFolder()
    {
        ScratchFiles scratch;
        GptWeights w(smallConfig());
        w.initialize(1);
        const std::string folder = scratch.path(QStringLiteral("model")).toStdString();
        LanguageModel(GptModel(w), nullptr).save(folder);
        const LanguageModel loaded = LanguageModel::load(folder);
        QCOMPARE(loaded.tokenizer().kind(), std::string("bytes"));
        QVERIFY(std::equal(w.data(), w.data() + w.size(), loaded.model().weights().data()));
        scratch.write(QStringLiteral("model/vocab.json"), "{}");
        QVERIFY_THROWS_EXCEPTION(InputError, LanguageModel::load(folder)); // vocab.json without merges.txt
    }
};

QTEST_GUILESS_MAIN(TestLmFiles)
#include "tst_lm_files.moc"
