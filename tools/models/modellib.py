"""Shared by the model exporters: which torchvision models convkit mirrors, how each is built with a seeded
random initialisation, convkit's own models as torch twins, and multiply-accumulate counting.

Run the exporters with Debian's system Python (/usr/bin/python3: torch 1.13, torchvision 0.14).
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tools", "fixtures"))
from generate_safetensors import serialize  # noqa: E402  (the spec-following safetensors writer)

TORCH_VERSION = torch.__version__.split("+")[0]
TORCHVISION_VERSION = torchvision.__version__.split("+")[0]

# name -> (builder, input shape, seed). Builders mirror torchvision's functions with weights=None.
TORCHVISION_MODELS = {
    "resnet18": (lambda: torchvision.models.resnet18(weights=None), [1, 3, 224, 224], 18),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(weights=None), [1, 3, 224, 224], 2),
    "shufflenet_v2_x0_5": (lambda: torchvision.models.shufflenet_v2_x0_5(weights=None), [1, 3, 224, 224], 5),
    "shufflenet_v2_x1_0": (lambda: torchvision.models.shufflenet_v2_x1_0(weights=None), [1, 3, 224, 224], 10),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(weights=None), [1, 3, 224, 224], 11),
    "vgg11_bn": (lambda: torchvision.models.vgg11_bn(weights=None), [1, 3, 224, 224], 11),
    "googlenet": (lambda: torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=True), [1, 3, 224, 224], 1),
}


def conv_linear_macs(model, x):
    """Multiply-accumulates of one forward pass, counted from the layer configurations that ran: a conv
    does batch * output positions * out channels * (in channels / groups) * kernel taps, a transposed conv
    the same per input position, a linear layer rows * in * out. Nothing else is counted."""
    total = [0]

    def hook(m, inputs, output):
        if isinstance(m, nn.Linear):
            total[0] += inputs[0].numel() // m.in_features * m.in_features * m.out_features
        elif isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Conv3d)):
            rank = m.weight.dim() - 2
            positions = output.numel() // output.shape[-rank - 1]
            total[0] += positions * m.weight.numel()
        elif isinstance(m, (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)):
            rank = m.weight.dim() - 2
            x0 = inputs[0]
            positions = x0.numel() // x0.shape[-rank - 1]
            total[0] += positions * m.weight.numel()

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total[0]


def calibrate(model, input_shape, seed):
    """Makes a randomly initialised model's numbers worth comparing: batch-norm scales and shifts drawn at
    random, then one training-mode pass over a seeded batch with momentum 1 so every running mean and
    variance holds real batch statistics (num_batches_tracked becomes 1), then eval mode. Without this,
    fresh running statistics (0 and 1) make batch norm almost the identity and activations of deep
    models vanish or explode."""
    g = torch.Generator().manual_seed(seed + 1000)
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for m in norms:
            m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
            m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.2)
        if norms:
            saved = [m.momentum for m in norms]
            for m in norms:
                m.momentum = 1.0
            model.train()
            model(torch.randn([2] + list(input_shape[1:]), generator=g))
            for m, mom in zip(norms, saved):
                m.momentum = mom
    model.eval()
    return model


def build_torchvision(name):
    """(model in eval mode, seeded input, seed) for one of TORCHVISION_MODELS."""
    builder, input_shape, seed = TORCHVISION_MODELS[name]
    torch.manual_seed(seed)
    model = builder()
    calibrate(model, input_shape, seed)
    x = torch.randn(input_shape, generator=torch.Generator().manual_seed(seed + 2000))
    return model, x, seed


def state_entries(model):
    """The state dict as (key, tensor) pairs, in torch's order, detached and contiguous."""
    return [(k, v.detach().contiguous()) for k, v in model.state_dict().items()]


def param_count(model):
    return sum(p.numel() for p in model.parameters())


def dtype_name(t):
    return {torch.float32: "float32", torch.int64: "int64"}[t.dtype]


# ------------------------------------------------------------------ convkit's own models, as torch twins
# Same structure, names and forward as packages/layers/src/models/{lenet5,unet,c3d,sppnet}.ts.


class LeNet5(nn.Module):
    """LeCun et al. 1998 on 32x32 inputs: tanh activations, 2x2 average-pool subsampling."""

    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5), nn.Tanh(), nn.AvgPool2d(2), nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2)
        )
        self.classifier = nn.Sequential(nn.Linear(400, 120), nn.Tanh(), nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


class DoubleConv(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True),
        )


class UNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=2, base=16, depth=4):
        super().__init__()
        widths = [base * 2**i for i in range(depth + 1)]
        self.encoders = nn.ModuleList([DoubleConv(in_channels if i == 0 else widths[i - 1], widths[i]) for i in range(depth)])
        self.pool = nn.MaxPool2d(2)
        self.bottleneck = DoubleConv(widths[depth - 1], widths[depth])
        self.upsamplers = nn.ModuleList([nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2) for i in reversed(range(depth))])
        self.decoders = nn.ModuleList([DoubleConv(2 * widths[i], widths[i]) for i in reversed(range(depth))])
        self.head = nn.Conv2d(base, num_classes, 1)

    def forward(self, x):
        skips = []
        for enc in self.encoders:
            x = enc(x)
            skips.append(x)
            x = self.pool(x)
        x = self.bottleneck(x)
        for up, dec, skip in zip(self.upsamplers, self.decoders, reversed(skips)):
            x = dec(torch.cat([skip, up(x)], 1))
        return self.head(x)


class C3D(nn.Module):
    def __init__(self, in_channels=3, num_classes=10, widths=(16, 32, 64, 128), hidden=256, dropout=0.5):
        super().__init__()
        w1, w2, w3, w4 = widths
        self.conv1 = nn.Conv3d(in_channels, w1, 3, padding=1)
        self.pool1 = nn.MaxPool3d((1, 2, 2), stride=(1, 2, 2))
        self.conv2 = nn.Conv3d(w1, w2, 3, padding=1)
        self.pool2 = nn.MaxPool3d(2, stride=2)
        self.conv3a = nn.Conv3d(w2, w3, 3, padding=1)
        self.conv3b = nn.Conv3d(w3, w3, 3, padding=1)
        self.pool3 = nn.MaxPool3d(2, stride=2)
        self.conv4a = nn.Conv3d(w3, w4, 3, padding=1)
        self.conv4b = nn.Conv3d(w4, w4, 3, padding=1)
        self.pool4 = nn.MaxPool3d(2, stride=2)
        self.pool5 = nn.AdaptiveAvgPool3d(1)
        self.fc6 = nn.Linear(w4, hidden)
        self.fc7 = nn.Linear(hidden, hidden)
        self.fc8 = nn.Linear(hidden, num_classes)
        self.relu = nn.ReLU()
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        x = self.pool1(self.relu(self.conv1(x)))
        x = self.pool2(self.relu(self.conv2(x)))
        x = self.pool3(self.relu(self.conv3b(self.relu(self.conv3a(x)))))
        x = self.pool4(self.relu(self.conv4b(self.relu(self.conv4a(x)))))
        x = torch.flatten(self.pool5(x), 1)
        x = self.dropout(self.relu(self.fc6(x)))
        x = self.dropout(self.relu(self.fc7(x)))
        return self.fc8(x)


class SpatialPyramidPooling(nn.Module):
    def __init__(self, levels=(1, 2, 4)):
        super().__init__()
        self.levels = list(levels)

    def forward(self, x):
        return torch.cat([F.adaptive_max_pool2d(x, n).flatten(1) for n in self.levels], 1)

    def extra_repr(self):
        # As convkit's SpatialPyramidPooling prints itself.
        return f"levels={tuple(self.levels)!r}, mode='max'"


class SPPNet(nn.Module):
    def __init__(self, in_channels=3, num_classes=10, widths=(32, 64, 128), levels=(1, 2, 4), hidden=256, dropout=0.5):
        super().__init__()
        layers = []
        cin = in_channels
        for i, w in enumerate(widths):
            if i > 0:
                layers.append(nn.MaxPool2d(2))
            layers += [nn.Conv2d(cin, w, 3, padding=1, bias=False), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            cin = w
        self.features = nn.Sequential(*layers)
        self.spp = SpatialPyramidPooling(levels)
        bins = sum(n * n for n in levels)
        self.classifier = nn.Sequential(nn.Linear(cin * bins, hidden), nn.ReLU(inplace=True), nn.Dropout(dropout), nn.Linear(hidden, num_classes))

    def forward(self, x):
        return self.classifier(self.spp(self.features(x)))
