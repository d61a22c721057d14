// The session file format: round trip of settings and arrays, plain-JSON and version-0 sessions, and hostile files
// (truncated, wrong format, newer version, huge declared sizes, non-UTF-8, deep nesting) each giving one clear line.
#include "common/InputError.h"
#include "session/SessionFile.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <cstring>

using namespace featurescope;

namespace {

Session sampleSession()
{
    Session s;
    s.appVersion = "0.1.0";
    s.theme = "dark";
    s.currentPanel = "energy";
    PanelState energy;
    energy.settings = {{"preset", "a100-sxm4"}, {"bits", 16.0}, {"label", "π ≈ 3.14"}};
    s.panels["energy"] = energy;
    PanelState toy;
    toy.settings = {{"seed", 7}, {"view", {{"tab", 2}}}};
    const std::vector<float> w{1.f, -2.f, 3.5f, 0.25f, 1e-20f, -0.f};
    toy.arrays["W"] = ArrayData::fromFloats({2, 3}, w.data());
    const std::vector<double> loss{0.5, 0.25, 0.125};
    toy.arrays["loss.0"] = ArrayData::fromDoubles({3}, loss.data());
    s.panels["superposition"] = toy;
    return s;
}

std::string bytesOf(const Session& s) { return SessionFile::serialize(s); }

Session parseBytes(const std::string& bytes)
{
    return SessionFile::parse("hostile.fss", reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

// Little-endian u64 header length + header + data: a hand-made safetensors container.
std::string container(const std::string& header, const std::string& data = {})
{
    std::string out(8, '\0');
    std::uint64_t n = header.size();
    for (int i = 0; i < 8; ++i)
        out[std::size_t(i)] = char((n >> (8 * i)) & 0xff);
    return out + header + data;
}

std::string metadataHeader(const nlohmann::json& session, const std::string& tensors = {})
{
    nlohmann::json meta{{"featurescope-session", session.dump()}};
    return "{" + tensors + (tensors.empty() ? "" : ",") + "\"__metadata__\":" + meta.dump() + "}";
}

nlohmann::json minimalDoc() { return {{"format", "featurescope-session"}, {"version", 1}, {"panels", nlohmann::json::object()}}; }

} // namespace

class TestSessionFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip();
    void saveIsAtomicAndReplaces();
    void plainJsonSession();
    void version0Migrates();
    void version0UnmigratableIsClear();
    void hostile_data();
    void hostile();
    void truncatedEverywhere();
    void badNamesRefusedOnSave();
    void largeSessionIsFast();
};

void TestSessionFile::roundTrip()
{
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("a.fss")).toStdString();
    const Session in = sampleSession();
    SessionFile::save(path, in);
    const Session out = SessionFile::load(path);
    QCOMPARE(out.loadedVersion, 1);
    QCOMPARE(out.appVersion, in.appVersion);
    QCOMPARE(out.theme, in.theme);
    QCOMPARE(out.currentPanel, in.currentPanel);
    QVERIFY(!out.savedAt.empty());
    QCOMPARE(out.panels.size(), in.panels.size());
    for (const auto& [id, state] : in.panels) {
        const PanelState& got = out.panels.at(id);
        QCOMPARE(got.settings.dump(), state.settings.dump());
        QCOMPARE(got.arrays.size(), state.arrays.size());
        for (const auto& [name, array] : state.arrays)
            QVERIFY2(got.arrays.at(name).identical(array), name.c_str());
    }
    // Serialising what was read gives the same bytes (saved_at is kept).
    QCOMPARE(SessionFile::serialize(out), SessionFile::serialize(Session(out)));
    Session again = out;
    QCOMPARE(bytesOf(again), bytesOf(SessionFile::load(path)));
}

void TestSessionFile::saveIsAtomicAndReplaces()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("b.fss"));
    Session s = sampleSession();
    SessionFile::save(file.toStdString(), s);
    s.panels["energy"].settings["bits"] = 32.0;
    SessionFile::save(file.toStdString(), s);
    QCOMPARE(SessionFile::load(file.toStdString()).panels.at("energy").settings.at("bits").get<double>(), 32.0);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{QStringLiteral("b.fss")}); // no temporaries left
    // A failed save (directory missing) throws and names the file.
    const std::string bad = dir.filePath(QStringLiteral("missing/c.fss")).toStdString();
    try {
        SessionFile::save(bad, s);
        QFAIL("saving into a missing directory must throw");
    } catch (const InputError& e) {
        QVERIFY(std::string(e.what()).find(bad) != std::string::npos);
    }
}

void TestSessionFile::plainJsonSession()
{
    const std::string text = R"({"format": "featurescope-session", "version": 1, "theme": "light",
        "panels": {"energy": {"bits": 8}}})";
    const Session s = parseBytes(text);
    QCOMPARE(s.theme, std::string("light"));
    QCOMPARE(s.panels.at("energy").settings.at("bits").get<int>(), 8);
    QVERIFY(s.panels.at("energy").arrays.empty());
}

void TestSessionFile::version0Migrates()
{
    const Session s = SessionFile::load(FEATURESCOPE_TEST_DATA_DIR "/sessions/v0_energy.fss");
    QCOMPARE(s.loadedVersion, 0);
    QCOMPARE(s.theme, std::string("dark"));
    QCOMPARE(s.currentPanel, std::string("energy"));
    QCOMPARE(s.appVersion, std::string());
    QCOMPARE(s.panels.size(), std::size_t(2));
    QCOMPARE(s.panels.at("energy").settings.at("preset").get<std::string>(), std::string("h100-sxm5"));
    QVERIFY(s.panels.at("superposition").settings.empty());
}

void TestSessionFile::version0UnmigratableIsClear()
{
    const std::string path = FEATURESCOPE_TEST_DATA_DIR "/sessions/v0_unmigratable.fss";
    try {
        SessionFile::load(path);
        QFAIL("must throw");
    } catch (const InputError& e) {
        const std::string what = e.what();
        QVERIFY2(what.find(path) == 0, what.c_str());
        QVERIFY2(what.find("cannot migrate this version-0 session") != std::string::npos, what.c_str());
        QVERIFY(what.find('\n') == std::string::npos);
    }
}

void TestSessionFile::hostile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("expected"); // a phrase the one-line message must contain
    auto add = [](const char* tag, const std::string& bytes, const char* expected) {
        QTest::newRow(tag) << QByteArray(bytes.data(), qsizetype(bytes.size())) << QString::fromUtf8(expected);
    };
    nlohmann::json wrongFormat = minimalDoc();
    wrongFormat["format"] = "featurescope-project";
    nlohmann::json newer = minimalDoc();
    newer["version"] = 2;
    nlohmann::json negative = minimalDoc();
    negative["version"] = -1;
    nlohmann::json noVersion = minimalDoc();
    noVersion.erase("version");
    nlohmann::json panelsList = minimalDoc();
    panelsList["panels"] = nlohmann::json::array();
    nlohmann::json badId = minimalDoc();
    badId["panels"]["../etc"] = nlohmann::json::object();
    nlohmann::json settingsNotObject = minimalDoc();
    settingsNotObject["panels"]["energy"] = 3;

    add("empty", "", "empty file");
    add("garbage", "hello world, not a session", "neither a safetensors header nor");
    add("wrong format string", wrongFormat.dump(), "format 'featurescope-project'");
    add("no format", R"({"version": 1, "panels": {}})", "not a featurescope session");
    add("newer version", newer.dump(), "made by a newer featurescope");
    add("newer version in container", container(metadataHeader(newer)), "made by a newer featurescope");
    add("huge version", R"({"format": "featurescope-session", "version": 18446744073709551615, "panels": {}})",
        "made by a newer featurescope");
    add("negative version", negative.dump(), "version -1 is invalid");
    add("no version", noVersion.dump(), "no integer \"version\"");
    add("panels is a list in v1", panelsList.dump(), "no \"panels\" object");
    add("bad panel id", badId.dump(), "is not a plain id");
    add("settings not an object", settingsNotObject.dump(), "not an object");
    add("non-UTF-8 JSON", std::string("{\"format\": \"featurescope-session\", \"version\": 1, \"theme\": \"\xff\xfe\", "
                                      "\"panels\": {}}"),
        "not valid UTF-8");
    add("non-UTF-8 in container", container(std::string("{\"__metadata__\":{\"featurescope-session\":\"\xc3\x28\"}}")),
        "not valid UTF-8");
    add("not JSON in container", container(metadataHeader(nullptr).replace(0, 0, "")), "not a featurescope session");
    add("deep nesting", std::string(100000, '[') + std::string(100000, ']'), "neither a safetensors header");
    add("deep nesting in object", "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}",
        "nested more than");
    add("huge header length", std::string("\xff\xff\xff\xff\x00\x00\x00\x00", 8) + "{}", "exceeds the 100 MB limit");
    add("header longer than file", container("{}").replace(0, 1, "\x40"), "truncated safetensors file");
    add("huge tensor shape",
        container(metadataHeader(minimalDoc(), R"("energy/x":{"dtype":"F32","shape":[1000000000000],"data_offsets":[0,4000000000000]})")),
        "energy/x");
    add("overflowing shape",
        container(metadataHeader(minimalDoc(),
                                 R"("energy/x":{"dtype":"F64","shape":[4294967296,4294967296,16],"data_offsets":[0,8]})"),
                  std::string(8, '\0')),
        "energy/x");
    add("no session metadata", container(R"({"__metadata__":{"format":"pt"}})"), "no 'featurescope-session' metadata");
    nlohmann::json withEnergy = minimalDoc();
    withEnergy["panels"]["energy"] = nlohmann::json::object();
    add("tensor of unknown panel",
        container(metadataHeader(withEnergy, R"("features/x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})"),
                  std::string(4, '\0')),
        "belongs to no panel");
    add("tensor without panel",
        container(metadataHeader(withEnergy, R"("x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]})"),
                  std::string(4, '\0')),
        "is not named '<panel>/<array>'");
}

void TestSessionFile::hostile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, expected);
    try {
        parseBytes(bytes.toStdString());
        QFAIL("a hostile session must throw InputError");
    } catch (const InputError& e) {
        const QString what = QString::fromUtf8(e.what());
        QVERIFY2(what.startsWith(QStringLiteral("hostile.fss: ")), qPrintable(what));
        QVERIFY2(what.contains(expected), qPrintable(what));
        QVERIFY2(!what.contains(QLatin1Char('\n')), qPrintable(what));
        QVERIFY2(what.size() < 400, qPrintable(what));
    }
}

void TestSessionFile::truncatedEverywhere()
{
    const std::string full = bytesOf(sampleSession());
    int errors = 0;
    for (std::size_t cut = 0; cut < full.size(); cut += (cut < 600 ? 1 : 7)) {
        try {
            parseBytes(full.substr(0, cut));
        } catch (const InputError& e) {
            ++errors;
            QVERIFY(std::string(e.what()).rfind("hostile.fss: ", 0) == 0);
            continue;
        }
        // Trailing data may be cut only where the last tensor ends (no tensor is missing then).
        QVERIFY2(cut >= full.size() - 8, std::to_string(cut).c_str());
    }
    QVERIFY(errors > 500);
}

void TestSessionFile::badNamesRefusedOnSave()
{
    Session s = sampleSession();
    s.panels["bad id"] = PanelState{};
    QVERIFY_THROWS_EXCEPTION(InputError, SessionFile::serialize(s));
    Session t = sampleSession();
    t.panels["energy"].arrays[""] = t.panels["superposition"].arrays["W"];
    QVERIFY_THROWS_EXCEPTION(InputError, SessionFile::serialize(t));
}

void TestSessionFile::largeSessionIsFast()
{
    // The largest preset (n = 400, m = 30, 12 instances, 40 snapshots) stores ~6 M floats: saving and loading it
    // must stay well under a second so the autosave and "Open" are unnoticeable.
    Session s = sampleSession();
    std::vector<float> big(41u * 12u * 30u * 400u);
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = float(i % 977) * 0.001f;
    s.panels["superposition"].arrays["snapshot_W"] = ArrayData::fromFloats({41, 12, 30, 400}, big.data());
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("big.fss")).toStdString();
    QElapsedTimer timer;
    timer.start();
    SessionFile::save(path, s);
    const qint64 saveMs = timer.restart();
    const Session back = SessionFile::load(path);
    const qint64 loadMs = timer.elapsed();
    qInfo("23.6 MB session: save %lld ms, load %lld ms", saveMs, loadMs);
    QVERIFY(back.panels.at("superposition").arrays.at("snapshot_W").identical(s.panels["superposition"].arrays["snapshot_W"]));
    QVERIFY(saveMs < 3000 && loadMs < 3000);
}

QTEST_GUILESS_MAIN(TestSessionFile)
#include "tst_session_file.moc"
