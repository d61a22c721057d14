// The data behind a figure (FigureData): the CSV holds exactly the plotted points of every series, colour maps go to
// an NPZ, and the generated matplotlib script redraws the figure (run when a python3 with matplotlib is installed,
// otherwise only checked to be written). Also the command line: render --data, --cm and --list.

#include "common/FigureData.h"
#include "io/NpzArchive.h"
#include "plots/QCustomPlotInclude.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <map>

namespace {

struct Row {
    QString series, style;
    double x, y;
};

std::vector<Row> readCsv(const QString& path, QStringList* header)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    *header = lines.value(0).split(QLatin1Char(','));
    std::vector<Row> rows;
    for (int i = 1; i < lines.size(); ++i) {
        // plot,axes,"series",style,color,x,y (series names here have no commas)
        const QStringList f = lines[i].split(QLatin1Char(','));
        rows.push_back({QString(f[2]).remove(QLatin1Char('"')), f[3], f[5].toDouble(), f[6].toDouble()});
    }
    return rows;
}

// A python3 that has matplotlib, or an empty string.
QString pythonWithMatplotlib()
{
    for (const QString& python : {QStringLiteral("python3"), QStringLiteral("/usr/bin/python3")}) {
        QProcess probe;
        probe.start(python, {QStringLiteral("-c"), QStringLiteral("import matplotlib, numpy")});
        if (probe.waitForFinished(60000) && probe.exitStatus() == QProcess::NormalExit && probe.exitCode() == 0)
            return python;
    }
    return {};
}

QByteArray runCli(const QStringList& arguments, int* exitCode)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    process.setProcessEnvironment(env);
    process.start(qEnvironmentVariable("FEATURESCOPE_BINARY"), arguments);
    process.waitForFinished(600000);
    *exitCode = process.exitCode();
    return process.readAllStandardOutput();
}

} // namespace

class TestFigureData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void csvMatchesThePlottedData()
    {
        QCustomPlot plot;
        plot.resize(640, 480);
        plot.plotLayout()->insertRow(0);
        plot.plotLayout()->addElement(0, 0, new QCPTextElement(&plot, QStringLiteral("a test figure")));
        QCPGraph* line = plot.addGraph();
        line->setName(QStringLiteral("loss"));
        line->setData({1, 2, 3, 4, 5}, {0.5, 0.25, 0.125, 0.0625, 0.03125});
        QCPGraph* dots = plot.addGraph();
        dots->setName(QStringLiteral("dots"));
        dots->setLineStyle(QCPGraph::lsNone);
        dots->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssDisc, Qt::red, Qt::red, 5));
        dots->setData({1, 3}, {0.4, 0.1});
        auto* bars = new QCPBars(plot.yAxis, plot.xAxis); // horizontal bars: keys on the vertical axis
        bars->setName(QStringLiteral("norms"));
        bars->setData({0, 1, 2}, {1.0, 0.5, 0.0});
        auto* map = new QCPColorMap(plot.xAxis, plot.yAxis);
        map->data()->setSize(3, 2);
        map->data()->setRange(QCPRange(0, 2), QCPRange(0, 1));
        for (int c = 0; c < 3; ++c)
            for (int v = 0; v < 2; ++v)
                map->data()->setCell(c, v, c + 10 * v);
        plot.xAxis->setLabel(QStringLiteral("step"));
        plot.yAxis->setScaleType(QCPAxis::stLogarithmic);
        plot.replot();

        QTemporaryDir dir;
        const QString base = dir.filePath(QStringLiteral("figure"));
        FigureData::Files files;
        QCOMPARE(FigureData::write(&plot, base, QStringLiteral("A test"), &files), QString());
        QStringList header;
        const std::vector<Row> rows = readCsv(files.csv, &header);
        QCOMPARE(header, FigureData::columns());
        std::map<QString, std::vector<Row>> bySeries;
        for (const Row& row : rows)
            bySeries[row.series].push_back(row);
        QCOMPARE(bySeries[QStringLiteral("loss")].size(), std::size_t(5));
        QCOMPARE(bySeries[QStringLiteral("loss")][2].y, 0.125);
        QCOMPARE(bySeries[QStringLiteral("loss")][2].style, QStringLiteral("line"));
        QCOMPARE(bySeries[QStringLiteral("dots")].size(), std::size_t(2));
        QCOMPARE(bySeries[QStringLiteral("dots")][1].style, QStringLiteral("scatter"));
        // Horizontal bars: x is the bar's length, y its row, as drawn.
        QCOMPARE(bySeries[QStringLiteral("norms")].size(), std::size_t(3));
        QCOMPARE(bySeries[QStringLiteral("norms")][1].style, QStringLiteral("barh"));
        QCOMPARE(bySeries[QStringLiteral("norms")][1].x, 0.5);
        QCOMPARE(bySeries[QStringLiteral("norms")][1].y, 1.0);
        // The colour map: rows are the vertical cells.
        QVERIFY(!files.npz.isEmpty());
        const auto npz = featurescope::NpzArchive::open(files.npz.toStdString());
        const auto cells = npz.array("p0_a0_map0");
        QCOMPARE(cells.shape(), (featurescope::ArrayData::Shape{2, 3}));
        QVERIFY(QFile::exists(files.script));
        QFile script(files.script);
        QVERIFY(script.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(script.readAll());
        QVERIFY(text.contains(QStringLiteral("TITLE = \"A test\"")));
        QVERIFY(text.contains(QStringLiteral("\"label\": \"step\"")));
        QVERIFY(!text.contains(QLatin1Char('@'))); // every placeholder filled

        const QString python = pythonWithMatplotlib();
        if (python.isEmpty())
            QSKIP("no python3 with matplotlib: the script is written but not run");
        QProcess run;
        const QString png = dir.filePath(QStringLiteral("redrawn.png"));
        run.start(python, {files.script, png});
        QVERIFY(run.waitForFinished(120000));
        QVERIFY2(run.exitCode() == 0, run.readAllStandardError().constData());
        QVERIFY(QFile(png).size() > 1000);
    }

    void cliDataCentimetresAndList()
    {
        QTemporaryDir dir;
        int exitCode = -1;
        const QString out = dir.filePath(QStringLiteral("loss.pdf"));
        const QByteArray json = runCli({QStringLiteral("render"), QStringLiteral("--panel"), QStringLiteral("superposition"),
                                        QStringLiteral("--figure"), QStringLiteral("loss"), QStringLiteral("--cm"),
                                        QStringLiteral("33.867,19.05"), QStringLiteral("--out"), out, QStringLiteral("--data"),
                                        QStringLiteral("--json")},
                                       &exitCode);
        QCOMPARE(exitCode, 0);
        const auto j = nlohmann::json::parse(json.toStdString());
        QVERIFY(std::abs(j["page_inches"][0].get<double>() - 13.333) < 0.001);
        QVERIFY(std::abs(j["page_inches"][1].get<double>() - 7.5) < 0.001);
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("loss.csv"))));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("loss.py"))));
        QVERIFY(j["data"]["npz"].is_null()); // loss curves have no colour map

        const QByteArray list = runCli({QStringLiteral("render"), QStringLiteral("--list"), QStringLiteral("--json")}, &exitCode);
        QCOMPARE(exitCode, 0);
        const auto figures = nlohmann::json::parse(list.toStdString());
        bool titled = false;
        for (const auto& f : figures["superposition"]["figures"])
            titled = titled || (f["id"] == "norm-bars" && f["title"].get<std::string>().find("Feature norms") == 0);
        QVERIFY(titled);
    }
};

QTEST_MAIN(TestFigureData)
#include "tst_figure_data.moc"
