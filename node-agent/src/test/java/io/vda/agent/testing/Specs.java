package io.vda.agent.testing;

import io.vda.schema.common.BdevType;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.NvmfListener;
import io.vda.schema.common.PhysicalDiskBacking;
import io.vda.schema.common.QosLimits;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.state.ControllerEndpoint;
import io.vda.schema.state.ControllerSpec;
import io.vda.schema.state.ExporterSpec;
import io.vda.schema.state.NodeSpec;
import io.vda.schema.state.PhysicalDiskSpec;
import io.vda.schema.state.VirtualDiskEndpoint;
import io.vda.schema.state.VirtualDiskSpec;
import java.util.ArrayList;
import java.util.List;

/** Desired-state records as the allocator would write them, for tests and the benchmark. */
public final class Specs {
    public static final long MIB = 1024L * 1024;

    private Specs() {
    }

    public static NvmfListener listener(String addr, int port) {
        return NvmfListener.newBuilder().setTrAddr(addr).setTrSvcId(Integer.toString(port)).build();
    }

    public static NodeSpec node(String name, NodeKind kind, NvmfListener listener) {
        return NodeSpec.newBuilder().setNodeName(name).setNodeKind(kind).setNvmfListener(listener)
                .setHostNqn(kind == NodeKind.CONTROLLER_NODE ? NvmeNames.controllerHostNqn(name) : null).build();
    }

    public static PhysicalDiskSpec mallocPd(String pd, long sizeBytes) {
        return PhysicalDiskSpec.newBuilder().setPdName(pd).setBacking(PhysicalDiskBacking.newBuilder()
                .setType(BdevType.MALLOC).setSizeBytes(sizeBytes).build()).build();
    }

    public static QosLimits noQos() {
        return QosLimits.newBuilder().build();
    }

    public static VirtualDiskSpec vd(String da, int i, String pd, long sizeBytes, String primaryCn, long epoch) {
        return vd(da, i, pd, sizeBytes, primaryCn, epoch, false, noQos());
    }

    public static VirtualDiskSpec vd(String da, int i, String pd, long sizeBytes, String primaryCn, long epoch,
            boolean thin, QosLimits qos) {
        return VirtualDiskSpec.newBuilder().setDaName(da).setVdIndex(i).setPdName(pd).setSizeBytes(sizeBytes)
                .setQos(qos).setThin(thin).setSubsystemNqn(NvmeNames.virtualDiskNqn(da, i))
                .setAllowedHostNqn(NvmeNames.controllerHostNqn(primaryCn)).setEpoch(epoch).build();
    }

    public static ControllerEndpoint endpoint(String cn, NvmfListener l) {
        return ControllerEndpoint.newBuilder().setCnName(cn).setNvmfListener(l)
                .setHostNqn(NvmeNames.controllerHostNqn(cn)).build();
    }

    /** A controller spec of {@code da} on {@code self}; {@code vds} are (dn, listener) per index. */
    public static ControllerSpec controller(String da, String self, ControllerRole role, long epoch,
            List<NvmfListener> vdListeners, long vdSize, ControllerEndpoint primary,
            List<ControllerEndpoint> secondaries, boolean initialized, String lvstoreUuid) {
        List<VirtualDiskEndpoint> vds = new ArrayList<>();
        for (int i = 0; i < vdListeners.size(); i++) {
            vds.add(VirtualDiskEndpoint.newBuilder().setVdIndex(i).setDnName("dn" + i)
                    .setNvmfListener(vdListeners.get(i)).setSubsystemNqn(NvmeNames.virtualDiskNqn(da, i))
                    .setSizeBytes(vdSize).build());
        }
        return ControllerSpec.newBuilder().setDaName(da).setRole(role).setEpoch(epoch)
                .setHostNqn(NvmeNames.controllerHostNqn(self)).setSizeBytes(vdSize * vdListeners.size() / 2)
                .setStripSizeKb(64).setQos(noQos()).setLvstoreInitialized(initialized).setLvstoreUuid(lvstoreUuid)
                .setVirtualDisks(vds).setPrimary(primary).setSecondaries(secondaries)
                .setSecondarySubsystemNqn(NvmeNames.secondaryExportNqn(da)).build();
    }

    public static ExporterSpec exporter(String da, String exp, ControllerRole role, long epoch, String hostNqn) {
        return ExporterSpec.newBuilder().setDaName(da).setExpName(exp).setRole(role).setEpoch(epoch)
                .setTargetNqn(NvmeNames.exporterNqn(da, exp))
                .setSerialNumber(NvmeNames.exporterSerialNumber(da, exp)).setModelNumber(NvmeNames.MODEL_NUMBER)
                .setNamespaceUuid(NvmeNames.exporterNamespaceUuid(da, exp)).setHostNqns(List.of(hostNqn)).build();
    }
}
