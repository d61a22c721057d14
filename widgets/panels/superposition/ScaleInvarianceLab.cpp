#include "ScaleInvarianceLab.h"

#include "common/SettingsReader.h"

#include <nlohmann/json.hpp>

#include "common/InputError.h"
#include "common/QtProgressBridge.h"
#include "scale/ScaleInvarianceModels.h"
#include "plots/FeaturePalette.h"
#include "plots/LogScatterPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

#include <algorithm>
#include <cmath>

using featurescope::ScaleInvariancePoint;
using CoreLab = featurescope::ScaleInvarianceLab;
using featurescope::ScaleInvarianceModels;

namespace {

constexpr double kMinScale = 0.1;
constexpr double kMaxScale = 10.0;
constexpr int kSliderStepsPerDecade = 100; // slider value k -> c = 10^((k - 100) / 100)

const QString kFigureLab = QStringLiteral("scale-lab");
const QString kFigureMeasures = QStringLiteral("scale-measures");
const QString kFigureOutput = QStringLiteral("scale-output");

QString tr(const char* text) { return QCoreApplication::translate("ScaleInvarianceLab", text); }

// Floating-point work of one evaluate(): the forward pass over the samples plus the geometry of W.
double evaluationCost(const CoreLab& lab)
{
    const double n = lab.features(), m = lab.dimensions();
    return double(lab.samples()) * n * m + std::min(n * n * m, n * m * m);
}

// Sweep points from 0.1 to 10: fine for cheap models, coarser when each point takes a while.
int sweepPoints(const CoreLab& lab)
{
    const double cost = evaluationCost(lab);
    return cost <= 1e8 ? 41 : cost <= 3e9 ? 21 : 9;
}

QString number(double value, int precision = 3)
{
    if (!std::isfinite(value))
        return QStringLiteral("n/a");
    return QLocale::c().toString(value, 'g', precision);
}

QString grouped(int value)
{
    QString digits = QString::number(value);
    for (int k = digits.size() - 3; k > 0; k -= 3)
        digits.insert(k, QChar(0x2009)); // thin space
    return digits;
}

ScaleInvarianceLab::Prepared prepareLab(const ScaleInvarianceLab::Request& request,
                                        featurescope::ProgressReporter* progress)
{
    using Model = ScaleInvarianceLab::Model;
    ScaleInvarianceLab::Prepared out;
    try {
        switch (request.model) {
        case Model::TiedToy:
        case Model::UntiedToy: {
            const bool tied = request.model == Model::TiedToy;
            const int steps = ScaleInvarianceModels::kDefaultToySteps;
            const featurescope::ToyTrainingResult trained =
                ScaleInvarianceModels::trainToy(tied, steps, request.seed, progress);
            if (trained.status == featurescope::TrainingStatus::Cancelled) {
                out.cancelled = true;
                return out;
            }
            if (trained.status == featurescope::TrainingStatus::Diverged)
                throw featurescope::InputError(trained.message);
            out.lab = std::make_shared<const CoreLab>(ScaleInvarianceModels::toyLab(trained.model, request.seed));
            const auto& config = trained.model.config();
            out.description =
                (tied ? tr("Tied toy model x' = ReLU(W\u1d40W x + b), n = %1, m = %2, p = %3")
                      : tr("Untied toy model h = ReLU(W x), x' = ReLU(D\u1d40h + b), target |x|, n = %1, m = %2, p = %3"))
                    .arg(config.features)
                    .arg(config.hidden)
                    .arg(config.featureProbability.front().front()) +
                tr(", trained %1 steps; loss on %2 fixed samples")
                    .arg(grouped(trained.stepsDone))
                    .arg(grouped(out.lab->samples()));
            break;
        }
        case Model::FashionMlp: {
            const std::string dir = request.dataDirectory.toStdString();
            const featurescope::ImageDataset train = featurescope::ImageDataset::loadSplit(dir, "train");
            const featurescope::ImageDataset test = featurescope::ImageDataset::loadSplit(dir, "t10k");
            const featurescope::MlpTrainingResult trained = ScaleInvarianceModels::trainBiasFreeMlp(
                train, ScaleInvarianceModels::kDefaultMlpEpochs, request.seed, progress);
            if (trained.status == featurescope::TrainingStatus::Cancelled) {
                out.cancelled = true;
                return out;
            }
            if (trained.status == featurescope::TrainingStatus::Diverged)
                throw featurescope::InputError(trained.message);
            if (progress)
                progress->report(0.0, "evaluating the test set");
            out.lab = std::make_shared<const CoreLab>(ScaleInvarianceModels::classifierLab(trained.model, test));
            out.description = tr("Fashion-MNIST MLP 784\u2013128\u201310 without biases, trained %1 epochs; "
                                 "%2 test images")
                                  .arg(ScaleInvarianceModels::kDefaultMlpEpochs)
                                  .arg(grouped(test.count));
            break;
        }
        case Model::File: {
            if (request.path.isEmpty() || request.tensor.isEmpty())
                throw featurescope::InputError("choose a safetensors file and a tensor");
            out.lab = std::make_shared<const CoreLab>(CoreLab::forMatrix(
                ScaleInvarianceModels::loadSafetensorsMatrix(request.path.toStdString(), request.tensor.toStdString(),
                                                             request.transpose),
                request.tensor.toStdString()));
            out.description = tr("%1 from %2 (%3 dimensions x %4 features)")
                                  .arg(request.tensor, QFileInfo(request.path).fileName())
                                  .arg(out.lab->dimensions())
                                  .arg(out.lab->features());
            break;
        }
        }
        out.points = out.lab->sweep(CoreLab::logSpacedScales(kMinScale, kMaxScale, sweepPoints(*out.lab)), progress);
        if (progress && progress->isCancelled()) {
            out.cancelled = true;
            out.lab.reset();
            return out;
        }
        out.summary = featurescope::summariseScaleInvariance(*out.lab, out.points);
        if (out.lab->kind() != CoreLab::Kind::TiedToy) {
            // The seed's reply, beside it: a tied toy model (a tenth of a second) whose loss does depend on c.
            const featurescope::ToyTrainingResult tied =
                ScaleInvarianceModels::trainToy(true, ScaleInvarianceModels::kDefaultToySteps, request.seed);
            if (tied.status == featurescope::TrainingStatus::Finished)
                out.contrast = QString::fromStdString(
                    featurescope::tiedToyContrast(ScaleInvarianceModels::toyLab(tied.model, request.seed)));
        }
    } catch (const featurescope::InputError& error) {
        out.lab.reset();
        out.error = QString::fromStdString(error.what());
    } catch (const std::bad_alloc&) {
        out.lab.reset();
        out.error = tr("out of memory");
    }
    return out;
}

QPen seriesPen(const QColor& color, double width = 2.2, Qt::PenStyle style = Qt::SolidLine)
{
    QPen pen(color, width, style);
    pen.setCapStyle(Qt::RoundCap);
    pen.setJoinStyle(Qt::RoundJoin);
    return pen;
}

QCPScatterStyle dots(const QColor& color, double size = 6.0)
{
    return QCPScatterStyle(QCPScatterStyle::ssCircle, color, Qt::white, size);
}

QCPItemLine* verticalMarker(QCustomPlot* plot)
{
    auto* line = new QCPItemLine(plot);
    line->setPen(QPen(QColor(40, 40, 40), 1.2, Qt::DashLine));
    line->start->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->end->setTypeY(QCPItemPosition::ptAxisRectRatio);
    line->start->setCoords(1.0, 0.0);
    line->end->setCoords(1.0, 1.0);
    line->setSelectable(false);
    return line;
}

QCPGraph* markerGraph(QCustomPlot* plot)
{
    QCPGraph* graph = plot->addGraph();
    graph->setName(tr("at the slider's c"));
    graph->setLineStyle(QCPGraph::lsNone);
    graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(QColor(20, 20, 20), 2.0), Qt::NoBrush, 13));
    graph->setSelectable(QCP::stNone);
    graph->removeFromLegend();
    return graph;
}

} // namespace

ScaleInvarianceLab::ScaleInvarianceLab(QWidget* parent) : QWidget(parent)
{
    m_dataDirectory = qEnvironmentVariableIsSet("FEATURESCOPE_FASHION_MNIST_DIR")
                          ? qEnvironmentVariable("FEATURESCOPE_FASHION_MNIST_DIR")
                          : QString::fromStdString(featurescope::ImageDataset::defaultFashionMnistDirectory());

    m_modelChoice = new QComboBox(this);
    m_modelChoice->addItem(tr("Tied toy model (n = 5, m = 2)"), int(Model::TiedToy));
    m_modelChoice->addItem(tr("Untied toy model (n = 10, m = 5)"), int(Model::UntiedToy));
    m_modelChoice->addItem(tr("Fashion-MNIST MLP, no biases"), int(Model::FashionMlp));
    m_modelChoice->addItem(tr("Matrix from a safetensors file"), int(Model::File));
    m_modelChoice->setToolTip(tr("Which weight matrix W is scaled by c:\n"
                                 "tied toy model: W, the encoder and the decoder at once;\n"
                                 "untied toy model: the encoder by c and the decoder by 1/c;\n"
                                 "MLP: the first layer W1 (before the hidden ReLU neurons);\n"
                                 "file: the chosen tensor, columns as features."));
    m_openFile = new QPushButton(tr("Open\u2026"), this);
    m_openFile->setToolTip(tr("Choose a .safetensors file"));
    m_tensorChoice = new QComboBox(this);
    m_tensorChoice->setToolTip(tr("A rank-2 floating-point tensor [m, n] (as an nn.Linear weight [out, in])"));
    m_tensorChoice->setMinimumContentsLength(16);
    m_transpose = new QCheckBox(tr("Rows are features"), this);
    m_transpose->setToolTip(tr("Transpose: read the tensor as [n, m]"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setEnabled(false);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("scaleLabStatus"));
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status->setMinimumWidth(100);
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);

    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(new QLabel(tr("Model:"), this));
    modelRow->addWidget(m_modelChoice);
    modelRow->addWidget(m_openFile);
    modelRow->addWidget(m_tensorChoice);
    modelRow->addWidget(m_transpose);
    modelRow->addWidget(m_cancel);
    modelRow->addWidget(m_status, 1);

    m_slider = new QSlider(Qt::Horizontal, this);
    m_slider->setRange(0, 2 * kSliderStepsPerDecade);
    m_slider->setValue(kSliderStepsPerDecade);
    m_slider->setPageStep(10);
    m_slider->setTickPosition(QSlider::TicksBelow);
    m_slider->setTickInterval(kSliderStepsPerDecade / 2);
    m_slider->setToolTip(tr("The scale c of W, from 0.1 to 10 on a log scale"));
    m_scaleLabel = new QLabel(this);
    m_scaleLabel->setMinimumWidth(90);
    QFont scaleFont = m_scaleLabel->font();
    scaleFont.setBold(true);
    m_scaleLabel->setFont(scaleFont);
    auto* sliderRow = new QHBoxLayout;
    sliderRow->addWidget(new QLabel(tr("Scale W \u2192 cW:  0.1"), this));
    sliderRow->addWidget(m_slider, 1);
    sliderRow->addWidget(new QLabel(tr("10"), this));
    sliderRow->addSpacing(8);
    sliderRow->addWidget(m_scaleLabel);

    m_readout = new QLabel(this);
    m_readout->setObjectName(QStringLiteral("scaleLabReadout"));
    m_readout->setWordWrap(true);
    m_readout->setTextInteractionFlags(Qt::TextSelectableByMouse);

    m_measures = new LogScatterPlot(this);
    m_measures->setObjectName(kFigureMeasures);
    m_output = new LogScatterPlot(this);
    m_output->setObjectName(kFigureOutput);
    for (LogScatterPlot* plot : {m_measures, m_output})
        plot->legend->setMargins(QMargins(4, 2, 4, 6)); // room for descenders under the last legend row
    m_plots = new QWidget(this);
    auto* plotRow = new QHBoxLayout(m_plots);
    plotRow->setContentsMargins(0, 0, 0, 0);
    plotRow->addWidget(m_measures, 1);
    plotRow->addWidget(m_output, 1);

    m_reading = new QLabel(this);
    m_reading->setObjectName(QStringLiteral("scaleLabReading"));
    m_reading->setWordWrap(true);
    m_reading->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_reading->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Minimum);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(modelRow);
    layout->addLayout(sliderRow);
    layout->addWidget(m_readout);
    layout->addWidget(m_plots, 1);
    layout->addWidget(m_reading);

    m_progress = new QtProgressBridge(this);
    connect(m_progress, &QtProgressBridge::progress, this, &ScaleInvarianceLab::workProgress);
    connect(&m_watcher, &QFutureWatcher<Prepared>::finished, this, &ScaleInvarianceLab::onPrepared);
    connect(&m_pointWatcher, &QFutureWatcher<ScaleInvariancePoint>::finished, this,
            &ScaleInvarianceLab::onPointEvaluated);
    connect(m_modelChoice, &QComboBox::currentIndexChanged, this, &ScaleInvarianceLab::onModelChosen);
    connect(m_openFile, &QPushButton::clicked, this, &ScaleInvarianceLab::chooseFile);
    connect(m_tensorChoice, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_updatingControls && m_tensorChoice->count() > 0)
            setMatrixFile(m_filePath, m_tensorChoice->currentText(), m_transpose->isChecked());
    });
    connect(m_transpose, &QCheckBox::toggled, this, [this](bool on) {
        if (!m_updatingControls && m_tensorChoice->count() > 0)
            setMatrixFile(m_filePath, m_tensorChoice->currentText(), on);
    });
    connect(m_cancel, &QPushButton::clicked, this, &ScaleInvarianceLab::cancelWork);
    connect(m_slider, &QSlider::valueChanged, this, &ScaleInvarianceLab::onSliderMoved);

    m_measures->setTitle(tr("Features per dimension against c"));
    m_output->setTitle(tr("What the model does"));
    m_updatingControls = true; // shows the file controls for the current choice; nothing computes before showEvent
    onModelChosen();
    m_updatingControls = false;
    m_scaleLabel->setText(QStringLiteral("c = 1.00"));
}

ScaleInvarianceLab::~ScaleInvarianceLab()
{
    m_pending.reset();
    m_progress->cancel();
    m_watcher.waitForFinished();
    m_pointWatcher.waitForFinished();
}

QStringList ScaleInvarianceLab::figureNames() const { return {kFigureLab, kFigureMeasures, kFigureOutput}; }

QWidget* ScaleInvarianceLab::figureWidget(const QString& name)
{
    if (name == kFigureLab)
        return this;
    if (name == kFigureMeasures)
        return m_measures;
    if (name == kFigureOutput)
        return m_output;
    return nullptr;
}

bool ScaleInvarianceLab::isBusy() const { return m_watcher.isRunning() || m_pointWatcher.isRunning(); }

ScaleInvarianceLab::Model ScaleInvarianceLab::model() const
{
    return Model(m_modelChoice->currentData().toInt());
}

QString ScaleInvarianceLab::reading() const { return m_reading->text(); }
QString ScaleInvarianceLab::readout() const { return m_readout->text(); }
QString ScaleInvarianceLab::statusText() const { return m_status->text(); }

void ScaleInvarianceLab::setDataDirectory(const QString& directory) { m_dataDirectory = directory; }

void ScaleInvarianceLab::setModel(Model model)
{
    const int index = m_modelChoice->findData(int(model));
    if (index < 0)
        return;
    if (index == m_modelChoice->currentIndex())
        onModelChosen();
    else
        m_modelChoice->setCurrentIndex(index); // onModelChosen via the signal
}

void ScaleInvarianceLab::onModelChosen()
{
    const bool file = model() == Model::File;
    m_openFile->setVisible(file);
    m_tensorChoice->setVisible(file);
    m_transpose->setVisible(file);
    if (m_updatingControls)
        return;
    m_started = true;
    Request request;
    request.model = model();
    request.dataDirectory = m_dataDirectory;
    if (file) {
        if (m_filePath.isEmpty() || m_tensorChoice->count() == 0) {
            m_status->setText(tr("Open a .safetensors file and choose a rank-2 tensor."));
            return;
        }
        request.path = m_filePath;
        request.tensor = m_tensorChoice->currentText();
        request.transpose = m_transpose->isChecked();
    }
    start(request);
}

void ScaleInvarianceLab::chooseFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Open a weight matrix"), QString(),
                                                      tr("safetensors (*.safetensors);;All files (*)"));
    if (path.isEmpty())
        return;
    std::vector<std::string> names;
    try {
        names = ScaleInvarianceModels::safetensorsMatrixNames(path.toStdString());
    } catch (const featurescope::InputError& error) {
        m_status->setText(QString::fromStdString(error.what()));
        return;
    }
    if (names.empty()) {
        m_status->setText(tr("%1 holds no rank-2 floating-point tensor").arg(QFileInfo(path).fileName()));
        return;
    }
    m_updatingControls = true;
    m_filePath = path;
    m_tensorChoice->clear();
    for (const auto& name : names)
        m_tensorChoice->addItem(QString::fromStdString(name));
    m_updatingControls = false;
    setMatrixFile(path, m_tensorChoice->currentText(), m_transpose->isChecked());
}

void ScaleInvarianceLab::setMatrixFile(const QString& path, const QString& tensor, bool transpose)
{
    m_updatingControls = true;
    m_filePath = path;
    if (m_tensorChoice->findText(tensor) < 0)
        m_tensorChoice->addItem(tensor);
    m_tensorChoice->setCurrentIndex(m_tensorChoice->findText(tensor));
    m_transpose->setChecked(transpose);
    m_modelChoice->setCurrentIndex(m_modelChoice->findData(int(Model::File)));
    m_updatingControls = false;
    onModelChosen();
}

void ScaleInvarianceLab::start(const Request& request)
{
    if (m_watcher.isRunning()) {
        // The running job stops at its next progress check; the newest request then starts.
        m_pending = request;
        m_progress->cancel();
        return;
    }
    m_progress->reset();
    featurescope::ProgressReporter* reporter = m_progress->reporter();
    m_lastRequest = request;
    m_cancel->setEnabled(true);
    const QString what = request.model == Model::FashionMlp ? tr("Training the Fashion-MNIST MLP without biases")
                         : request.model == Model::File     ? tr("Reading %1").arg(request.tensor)
                                                            : tr("Training the toy model");
    m_status->setText(what + QStringLiteral("\u2026"));
    Q_EMIT workStarted(tr("Scale-invariance lab: %1").arg(what.toLower()));
    m_watcher.setFuture(QtConcurrent::run([request, reporter] { return prepareLab(request, reporter); }));
}

void ScaleInvarianceLab::onPrepared()
{
    if (m_watcher.future().resultCount() == 0)
        return;
    const Prepared prepared = m_watcher.result();
    m_cancel->setEnabled(false);
    if (m_pending) {
        const Request next = *m_pending;
        m_pending.reset();
        Q_EMIT workFinished(tr("Scale-invariance lab: switched model"));
        start(next);
        return;
    }
    if (prepared.cancelled) {
        m_status->setText(tr("Cancelled."));
        Q_EMIT workFinished(tr("Scale-invariance lab cancelled"));
        return;
    }
    if (!prepared.error.isEmpty()) {
        m_status->setText(prepared.error);
        Q_EMIT workFinished(tr("Scale-invariance lab: %1").arg(prepared.error));
        return;
    }
    showPrepared(prepared);
    Q_EMIT workFinished(tr("Scale-invariance lab ready"));
}

void ScaleInvarianceLab::showPrepared(const Prepared& prepared)
{
    m_lab = prepared.lab;
    m_points = prepared.points;
    m_summary = prepared.summary;
    m_description = prepared.description;
    m_status->setText(m_description);
    m_status->setToolTip(QStringLiteral("%1\nScaled: %2")
                             .arg(m_description, QString::fromStdString(m_lab->scaledMatrixDescription())));
    QString reading = QString::fromStdString(m_summary.reading) + prepared.contrast;
    m_reading->setText(reading.replace(QStringLiteral("D_i"), QStringLiteral("D\u1d62")));
    m_current.reset();
    drawSweep();
    evaluateCurrentScale();
}

void ScaleInvarianceLab::cancelWork()
{
    m_pending.reset();
    m_pendingScale.reset();
    if (m_watcher.isRunning())
        m_progress->cancel();
}

void ScaleInvarianceLab::waitForWork()
{
    // Finish the job (and any request queued behind it), then the slider's evaluation, delivering their results now.
    // At least once: a job that has already finished may not have delivered its result yet.
    do {
        m_watcher.waitForFinished();
        QCoreApplication::sendPostedEvents(&m_watcher);
        m_pointWatcher.waitForFinished();
        QCoreApplication::sendPostedEvents(&m_pointWatcher);
    } while (m_watcher.isRunning() || m_pointWatcher.isRunning());
}

void ScaleInvarianceLab::prepareForRender()
{
    waitForWork();
    if (!m_lab) {
        onModelChosen(); // computes the chosen model (the tied toy model by default)
        waitForWork();
        if (!m_lab && model() != Model::TiedToy) { // no dataset or no file: the toy model needs neither
            setModel(Model::TiedToy);
            waitForWork();
        }
    }
    for (LogScatterPlot* plot : {m_measures, m_output})
        plot->replot();
}

void ScaleInvarianceLab::showEvent(QShowEvent* event)
{
    QWidget::showEvent(event);
    if (!m_started && !testAttribute(Qt::WA_DontShowOnScreen))
        onModelChosen();
}

double ScaleInvarianceLab::scale() const
{
    const double exponent = double(m_slider->value() - kSliderStepsPerDecade) / kSliderStepsPerDecade;
    return std::pow(10.0, exponent);
}

void ScaleInvarianceLab::setScale(double c)
{
    if (!std::isfinite(c) || c <= 0.0)
        return;
    const double k = std::round(std::log10(std::clamp(c, kMinScale, kMaxScale)) * kSliderStepsPerDecade) +
                     kSliderStepsPerDecade;
    m_slider->setValue(int(k));
}

void ScaleInvarianceLab::onSliderMoved()
{
    m_scaleLabel->setText(QStringLiteral("c = %1").arg(QLocale::c().toString(scale(), 'f', scale() < 1.0 ? 3 : 2)));
    evaluateCurrentScale();
}

void ScaleInvarianceLab::evaluateCurrentScale()
{
    if (!m_lab)
        return;
    const double c = scale();
    if (evaluationCost(*m_lab) <= 3e7) { // a toy model: well under a frame
        m_current = m_lab->evaluate(c);
        showCurrentPoint();
        return;
    }
    if (m_pointWatcher.isRunning()) {
        m_pendingScale = c;
        return;
    }
    const std::shared_ptr<const CoreLab> lab = m_lab;
    m_pointLab = lab;
    m_pointWatcher.setFuture(QtConcurrent::run([lab, c] { return lab->evaluate(c); }));
}

void ScaleInvarianceLab::onPointEvaluated()
{
    if (m_pointWatcher.future().resultCount() == 0)
        return;
    const ScaleInvariancePoint point = m_pointWatcher.result();
    const bool current = m_lab && m_pointLab == m_lab;
    if (current) {
        m_current = point;
        showCurrentPoint();
    }
    if (m_pendingScale || !current) {
        m_pendingScale.reset();
        evaluateCurrentScale(); // the slider moved on (or the model changed): evaluate where it is now
    }
}

void ScaleInvarianceLab::drawSweep()
{
    drawMeasures();
    drawOutput();
    placeMarkers();
    m_measures->replot(QCustomPlot::rpQueuedReplot);
    m_output->replot(QCustomPlot::rpQueuedReplot);
}

void ScaleInvarianceLab::drawMeasures()
{
    LogScatterPlot* plot = m_measures;
    plot->clearContent();
    plot->setAxes(m_lab->kind() == CoreLab::Kind::Classifier ? tr("scale c of W1 (log)") : tr("scale c of W (log)"),
                  LogScatterPlot::Scale::Log10, tr("value (log)"), LogScatterPlot::Scale::Log10);
    plot->setPowerTickLabels(plot->xAxis, false);
    plot->setPowerTickLabels(plot->yAxis, false);
    const bool classifier = m_lab->kind() == CoreLab::Kind::Classifier;
    plot->setTitle(classifier ? tr("Features per dimension grows as c\u00b2; D\u1d62 and accuracy stay flat")
                              : tr("Features per dimension grows as c\u00b2; D\u1d62 stays flat"));
    QVector<double> x, fpd, meanD, accuracy, dotX, dotY;
    QStringList fpdLabels, meanLabels, accuracyLabels;
    // Every feature's D_i as a faint dot at each c (thinned for wide matrices so the plot stays light).
    const int stride = std::max(1, m_lab->features() / 400);
    for (const auto& p : m_points) {
        x.append(p.scale);
        fpd.append(p.featuresPerDimension);
        meanD.append(p.meanDimensionality);
        fpdLabels.append(tr("c = %1: features per dimension %2").arg(number(p.scale), number(p.featuresPerDimension, 4)));
        meanLabels.append(tr("c = %1: mean D\u1d62 %2").arg(number(p.scale), number(p.meanDimensionality, 6)));
        if (classifier) {
            accuracy.append(p.accuracy);
            accuracyLabels.append(tr("c = %1: accuracy %2 %").arg(number(p.scale), number(100.0 * p.accuracy, 4)));
        }
        for (Eigen::Index i = 0; i < p.dimensionality.size(); i += stride)
            if (p.dimensionality[i] > 0.0f) {
                dotX.append(p.scale);
                dotY.append(p.dimensionality[i]);
            }
    }
    QColor dotColor = FeaturePalette::featureColor(2);
    dotColor.setAlpha(classifier || m_lab->features() > 50 ? 40 : 160);
    plot->addSeries(stride > 1 ? tr("D\u1d62 of every %1th feature").arg(stride) : tr("D\u1d62 of each feature"), dotX, dotY,
                    {}, Qt::NoPen, QCPScatterStyle(QCPScatterStyle::ssDisc, dotColor, dotColor, 4), false);
    plot->addSeries(tr("mean D\u1d62"), x, meanD, meanLabels, seriesPen(FeaturePalette::featureColor(2)),
                    dots(FeaturePalette::featureColor(2), 5), true);
    if (classifier)
        plot->addSeries(tr("test accuracy"), x, accuracy, accuracyLabels, seriesPen(FeaturePalette::featureColor(1)),
                        dots(FeaturePalette::featureColor(1), 5), true);
    plot->addSeries(tr("features per dimension \u2016cW\u2016\u00b2/m"), x, fpd, fpdLabels,
                    seriesPen(FeaturePalette::featureColor(0), 2.6), dots(FeaturePalette::featureColor(0), 5), true);
    plot->addVerticalReference(1.0, tr("c = 1 (as trained)"), QPen(FeaturePalette::referenceColor(), 1.0, Qt::DotLine));
    plot->setLegendColumns(classifier ? 2 : 3);
    plot->fitRanges(0.12);
    if (!m_points.empty()) {
        // The measured slope, written beside the steep line.
        const auto& p = m_points[m_points.size() * 3 / 5];
        plot->addLabel(p.scale * 1.12, p.featuresPerDimension,
                       tr("slope %1").arg(
                           QLocale::c().toString(m_summary.featuresPerDimensionSlope, 'f', 2)),
                       FeaturePalette::featureColor(0).darker(115), Qt::AlignLeft | Qt::AlignTop);
    }
}

void ScaleInvarianceLab::drawOutput()
{
    LogScatterPlot* plot = m_output;
    plot->clearContent();
    QVector<double> x;
    for (const auto& p : m_points)
        x.append(p.scale);
    const QPen unitPen(FeaturePalette::referenceColor(), 1.0, Qt::DotLine);
    switch (m_lab->kind()) {
    case CoreLab::Kind::TiedToy:
    case CoreLab::Kind::UntiedToy: {
        const bool tied = m_lab->kind() == CoreLab::Kind::TiedToy;
        plot->setAxes(tr("scale c of W (log)"), LogScatterPlot::Scale::Log10, tr("reconstruction loss (log)"),
                      LogScatterPlot::Scale::Log10);
        plot->setPowerTickLabels(plot->xAxis, false);
        plot->setPowerTickLabels(plot->yAxis, false);
        plot->setTitle(tied ? tr("Tied toy model: the loss has its minimum at c \u2248 1")
                            : tr("Untied toy model: encoder \u00d7 c, decoder \u00f7 c costs nothing"));
        QVector<double> loss, encoderOnly;
        QStringList labels, encoderLabels;
        for (const auto& p : m_points) {
            loss.append(p.loss);
            encoderOnly.append(p.lossEncoderOnly);
            labels.append(tr("c = %1: loss %2").arg(number(p.scale), number(p.loss, 4)));
            encoderLabels.append(tr("c = %1: loss %2 (encoder only)").arg(number(p.scale), number(p.lossEncoderOnly, 4)));
        }
        if (!tied)
            plot->addSeries(tr("loss, encoder \u00d7 c only"), x, encoderOnly, encoderLabels,
                            seriesPen(FeaturePalette::featureColor(3)), dots(FeaturePalette::featureColor(3), 5), true);
        plot->addSeries(tied ? tr("loss, W \u2192 cW (encoder and decoder)")
                             : tr("loss, encoder \u00d7 c and decoder \u00f7 c"),
                        x, loss, labels, seriesPen(FeaturePalette::featureColor(1), 2.6),
                        dots(FeaturePalette::featureColor(1), 5), true);
        plot->addVerticalReference(1.0, tr("c = 1 (as trained)"), unitPen);
        plot->setLegendColumns(2);
        plot->fitRanges(0.12);
        if (tied && std::isfinite(m_summary.bestLoss) && m_summary.bestLoss > 0.0) {
            plot->yAxis->setRangeLower(std::min(plot->yAxis->range().lower, m_summary.bestLoss / 3.0));
            plot->addLabel(m_summary.bestScale * 1.1, m_summary.bestLoss / 1.6,
                           tr("minimum %1 at c = %2").arg(number(m_summary.bestLoss), number(m_summary.bestScale)),
                           FeaturePalette::featureColor(1).darker(130), Qt::AlignLeft | Qt::AlignVCenter);
        }
        break;
    }
    case CoreLab::Kind::Classifier: {
        plot->setAxes(tr("scale c of W1 (log)"), LogScatterPlot::Scale::Log10, tr("probability / fraction"),
                      LogScatterPlot::Scale::Linear);
        plot->setPowerTickLabels(plot->xAxis, false);
        plot->setTitle(tr("The softmax sharpens with c; the argmax does not move"));
        QVector<double> maxP, unchanged, accuracy;
        QStringList maxLabels, unchangedLabels;
        for (const auto& p : m_points) {
            maxP.append(p.meanMaxProbability);
            unchanged.append(1.0 - double(p.predictionsChanged) / std::max(1, m_lab->samples()));
            accuracy.append(p.accuracy);
            maxLabels.append(tr("c = %1: mean max probability %2, KL from c = 1 %3 nats")
                                 .arg(number(p.scale), number(p.meanMaxProbability), number(p.meanKlFromReference)));
            unchangedLabels.append(tr("c = %1: %2 of %3 predictions as at c = 1")
                                       .arg(number(p.scale), grouped(m_lab->samples() - p.predictionsChanged),
                                            grouped(m_lab->samples())));
        }
        plot->addSeries(tr("predictions equal to c = 1 (fraction)"), x, unchanged, unchangedLabels,
                        seriesPen(FeaturePalette::featureColor(2)), dots(FeaturePalette::featureColor(2), 5), true);
        plot->addSeries(tr("test accuracy"), x, accuracy, {}, seriesPen(FeaturePalette::featureColor(1), 2.0, Qt::DashLine),
                        QCPScatterStyle(QCPScatterStyle::ssNone), true);
        plot->addSeries(tr("mean max softmax probability"), x, maxP, maxLabels,
                        seriesPen(FeaturePalette::featureColor(4), 2.6), dots(FeaturePalette::featureColor(4), 5), true);
        plot->addVerticalReference(1.0, tr("c = 1 (as trained)"), unitPen);
        plot->setLegendColumns(2);
        plot->fitRanges(0.12);
        plot->yAxis->setRange(0.0, 1.08);
        break;
    }
    case CoreLab::Kind::Matrix: {
        plot->setAxes(tr("feature, sorted by D\u1d62 at c = 1"), LogScatterPlot::Scale::Linear, tr("D\u1d62"),
                      LogScatterPlot::Scale::Linear);
        plot->setTitle(tr("Every D\u1d62, at c = 1 (line) and at the slider's c (dots)"));
        const Eigen::VectorXf& d = m_lab->reference().dimensionality;
        QVector<double> rank, values;
        std::vector<float> sorted(d.data(), d.data() + d.size());
        std::sort(sorted.begin(), sorted.end());
        for (std::size_t k = 0; k < sorted.size(); ++k) {
            rank.append(double(k));
            values.append(sorted[k]);
        }
        plot->addCurve(tr("D\u1d62 at c = 1"), rank, values, seriesPen(FeaturePalette::featureColor(2), 2.6));
        plot->setLegendColumns(2);
        plot->fitRanges(0.12);
        plot->yAxis->setRange(0.0, 1.05);
        break;
    }
    }
}

void ScaleInvarianceLab::placeMarkers()
{
    m_measuresLine = verticalMarker(m_measures);
    m_measuresMarker = markerGraph(m_measures);
    m_outputLine = m_lab->kind() == CoreLab::Kind::Matrix ? nullptr : verticalMarker(m_output);
    m_outputMarker = markerGraph(m_output);
    if (m_lab->kind() == CoreLab::Kind::Matrix) {
        m_outputMarker->setScatterStyle(dots(FeaturePalette::featureColor(1), 5));
        m_outputMarker->setName(tr("D\u1d62 at the slider's c"));
        m_outputMarker->addToLegend();
    }
}

void ScaleInvarianceLab::showCurrentPoint()
{
    if (!m_current || !m_lab || !m_measuresMarker)
        return;
    const ScaleInvariancePoint& p = *m_current;
    const ScaleInvariancePoint& one = m_lab->reference();
    const CoreLab::Kind kind = m_lab->kind();

    QVector<double> mx{p.scale, p.scale}, my{p.featuresPerDimension, p.meanDimensionality};
    if (kind == CoreLab::Kind::Classifier) {
        mx.append(p.scale);
        my.append(p.accuracy);
    }
    m_measuresMarker->setData(mx, my);
    m_measuresLine->start->setCoords(p.scale, 0.0);
    m_measuresLine->end->setCoords(p.scale, 1.0);
    if (m_outputLine) {
        m_outputLine->start->setCoords(p.scale, 0.0);
        m_outputLine->end->setCoords(p.scale, 1.0);
    }
    switch (kind) {
    case CoreLab::Kind::TiedToy:
        m_outputMarker->setData({p.scale}, {p.loss});
        break;
    case CoreLab::Kind::UntiedToy:
        m_outputMarker->setData({p.scale, p.scale}, {p.loss, p.lossEncoderOnly});
        break;
    case CoreLab::Kind::Classifier:
        m_outputMarker->setData({p.scale, p.scale},
                                {p.meanMaxProbability, 1.0 - double(p.predictionsChanged) / std::max(1, m_lab->samples())});
        break;
    case CoreLab::Kind::Matrix: {
        std::vector<float> sorted(p.dimensionality.data(), p.dimensionality.data() + p.dimensionality.size());
        std::sort(sorted.begin(), sorted.end());
        QVector<double> rank, values;
        const std::size_t stride = std::max<std::size_t>(1, sorted.size() / 60); // dots over the line, not a smear
        for (std::size_t k = 0; k < sorted.size(); k += stride) {
            rank.append(double(k));
            values.append(sorted[k]);
        }
        m_outputMarker->setData(rank, values);
        break;
    }
    }

    QString text = tr("<b>c = %1</b>: features per dimension <b>%2</b> = %3 \u00d7 c\u00b2 \u00b7 mean D\u1d62 <b>%4</b> "
                      "(largest change of any D\u1d62: %5)")
                       .arg(QLocale::c().toString(p.scale, 'g', 3), number(p.featuresPerDimension, 4),
                            number(one.featuresPerDimension, 4), QLocale::c().toString(p.meanDimensionality, 'f', 4),
                            p.maxDimensionalityChange == 0.0 ? QStringLiteral("0")
                                                             : QLocale::c().toString(p.maxDimensionalityChange, 'e', 0));
    switch (kind) {
    case CoreLab::Kind::TiedToy:
        text += tr(" \u00b7 loss <b>%1</b> (%2 at c = 1)").arg(number(p.loss, 4), number(one.loss, 4));
        break;
    case CoreLab::Kind::UntiedToy:
        text += tr(" \u00b7 loss <b>%1</b> (%2 at c = 1; encoder alone: %3)")
                    .arg(number(p.loss, 4), number(one.loss, 4), number(p.lossEncoderOnly, 4));
        break;
    case CoreLab::Kind::Classifier:
        text += tr(" \u00b7 accuracy <b>%1 %</b> \u00b7 predictions as at c = 1: <b>%2 of %3</b>%4 \u00b7 mean max "
                   "probability <b>%5</b> (%6 at c = 1), KL %7 nats")
                    .arg(QLocale::c().toString(100.0 * p.accuracy, 'f', 2),
                         grouped(m_lab->samples() - p.predictionsChanged), grouped(m_lab->samples()),
                         p.orderingsIdentical() ? tr(", every logit ordering too") : QString(),
                         QLocale::c().toString(p.meanMaxProbability, 'f', 3),
                         QLocale::c().toString(one.meanMaxProbability, 'f', 3), number(p.meanKlFromReference));
        break;
    case CoreLab::Kind::Matrix:
        break;
    }
    m_readout->setText(text);
    m_measures->replot(QCustomPlot::rpQueuedReplot);
    m_output->replot(QCustomPlot::rpQueuedReplot);
}

namespace {
const char* modelName(ScaleInvarianceLab::Model model)
{
    switch (model) {
    case ScaleInvarianceLab::Model::TiedToy: return "tied-toy";
    case ScaleInvarianceLab::Model::UntiedToy: return "untied-toy";
    case ScaleInvarianceLab::Model::FashionMlp: return "fashion-mlp";
    case ScaleInvarianceLab::Model::File: return "file";
    }
    return "tied-toy";
}
} // namespace

nlohmann::json ScaleInvarianceLab::saveSettings() const
{
    return {{"model", modelName(model())},
            {"file", m_filePath.toStdString()},
            {"tensor", m_tensorChoice->currentText().toStdString()},
            {"transpose", m_transpose->isChecked()},
            {"scale_step", m_slider->value()},
            {"scale", scale()}};
}

void ScaleInvarianceLab::validateSettings(const nlohmann::json& settings, const std::string& where) const
{
    const featurescope::SettingsReader r(settings, where);
    r.choice("model", {"tied-toy", "untied-toy", "fashion-mlp", "file"});
    r.text("file", 4096);
    r.text("tensor", 256);
    r.boolean("transpose");
    r.integer("scale_step", m_slider->minimum(), m_slider->maximum());
}

void ScaleInvarianceLab::applySettings(const nlohmann::json& settings)
{
    const std::string name = settings.at("model").get<std::string>();
    Model chosen = Model::TiedToy;
    for (Model m : {Model::TiedToy, Model::UntiedToy, Model::FashionMlp, Model::File})
        if (name == modelName(m))
            chosen = m;
    const QString tensor = QString::fromStdString(settings.at("tensor").get<std::string>());
    m_updatingControls = true;
    m_filePath = QString::fromStdString(settings.at("file").get<std::string>());
    m_tensorChoice->clear();
    if (!tensor.isEmpty())
        m_tensorChoice->addItem(tensor);
    m_transpose->setChecked(settings.at("transpose").get<bool>());
    m_modelChoice->setCurrentIndex(m_modelChoice->findData(int(chosen)));
    onModelChosen(); // shows the file controls for the choice; computes nothing while updating
    m_updatingControls = false;
    m_slider->setValue(settings.at("scale_step").get<int>());
    onSliderMoved(); // the label follows even when the value did not change
    const bool differs = m_lastRequest.model != chosen ||
                         (chosen == Model::File && (m_lastRequest.path != m_filePath || m_lastRequest.tensor != tensor ||
                                                    m_lastRequest.transpose != m_transpose->isChecked()));
    if (m_started && differs)
        onModelChosen();
}
