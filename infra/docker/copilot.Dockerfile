# The copilot service (and the daily report task) as infra/ runs them on ECS Fargate.
# Built from the repository root: docker build -f infra/docker/copilot.Dockerfile .
FROM public.ecr.aws/docker/library/node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY copilot/package.json copilot/
COPY delivery/package.json delivery/
COPY datasets/package.json datasets/
COPY dashboard/package.json dashboard/
COPY infra/package.json infra/
# Only the workspaces the service imports, without dev dependencies. infra is one: the service entry applies
# approved change sets by synthesizing the stacks (aws-cdk-lib, esbuild for the Lambda code) and CloudFormation.
RUN npm ci --omit=dev --no-audit --no-fund --include-workspace-root -w copilot -w delivery -w datasets -w infra \
 && npm cache clean --force
COPY tsconfig.json ./
COPY bin bin
COPY cli cli
COPY copilot copilot
COPY delivery delivery
COPY datasets datasets
COPY infra infra
USER node
EXPOSE 8080
CMD ["node", "--import", "tsx", "infra/src/copilot/service-main.ts"]
